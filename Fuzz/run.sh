#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer) of the parsers that read untrusted bytes (docs/SECURITY.md).
#
#   bash Fuzz/run.sh SECONDS [TARGET...]    build every target, run each for SECONDS from its corpus
#   bash Fuzz/run.sh --build-only           build only
#
# Each parser's own source files are compiled, with `-sanitize=fuzzer,address`, into small static
# modules of the same name (IMCore, a slice of IMTunnel, ...): the harnesses in Fuzz/Targets import
# them as the server does, and SwiftPM's graph (Hummingbird, NIO) stays out of the fuzzed binaries.
# The token target also needs swift-crypto, which it links from the debug build (`swift build`
# first). A run fails on the first crash, trap, hang or runaway allocation (leak checks are off:
# Swift's runtime keeps caches alive on purpose); libFuzzer writes the input to
# .build/fuzz/artifacts/, and Fuzz/Corpus/ is only read (new inputs go to .build/fuzz/corpus/).
set -euo pipefail
# Swift's crash reporter reads memory ASan watches; a trap is reported by libFuzzer instead.
export SWIFT_BACKTRACE=enable=no
cd "$(dirname "${BASH_SOURCE[0]}")/.."

targets=(frame-codec hot-frame-agreement tunnel-wire session-token identifiers)
out=.build/fuzz
mods=$out/modules
mkdir -p "$mods" "$out/artifacts"
flags=(-O -swift-version 6 -parse-as-library -sanitize=fuzzer,address -use-ld=lld -I "$mods")

# A static module from the given files: `module NAME FILE...`.
module() {
    local name=$1
    shift
    swiftc "${flags[@]}" -wmo -module-name "$name" -emit-module -emit-module-path "$mods/$name.swiftmodule" \
        -emit-library -static -o "$mods/lib$name.a" "$@"
}

# swift-crypto as the debug build left it: its Swift module and every object of its targets.
crypto_link() {
    local debug=${IM_DEBUG_BUILD:-.build/debug}
    [[ -f $debug/Modules/Crypto.swiftmodule ]] || { echo "run.sh: build the package first (swift build)" >&2; exit 1; }
    crypto_flags=(-I "$debug/Modules")
    for target in Crypto CryptoBoringWrapper CCryptoBoringSSL CCryptoBoringSSLShims CXKCP CXKCPShims; do
        while IFS= read -r -d '' object; do crypto_flags+=("$object"); done \
            < <(find "$debug/$target.build" -name '*.o' -print0)
    done
}

build() {
    echo "fuzz: building into $out"
    module CourseSupport Solutions/CourseSupport/*.swift
    module IMCore $(find Solutions/IMCore -name '*.swift' | sort)
    # Only the files that read and write the tunnel's bodies (the rest is Hummingbird glue).
    module IMTunnel Solutions/IMTunnel/TunnelWire.swift
    module IMGateway Solutions/IMGateway/Auth/SessionTokenFormat.swift
    crypto_link
    module IMSecurity "${crypto_flags[@]:0:2}" Solutions/IMSecurity/{SignedTokenFormat,Base64URL,TokenClaims,TokenError}.swift

    local libs=(-L "$mods" -lIMCore -lCourseSupport)
    swiftc "${flags[@]}" Fuzz/Targets/FrameCodec.swift Fuzz/Support.swift "${libs[@]}" -o "$out/frame-codec"
    swiftc "${flags[@]}" Fuzz/Targets/HotFrameAgreement.swift Fuzz/Support.swift "${libs[@]}" -o "$out/hot-frame-agreement"
    swiftc "${flags[@]}" Fuzz/Targets/TunnelWire.swift Fuzz/Support.swift -lIMTunnel "${libs[@]}" -o "$out/tunnel-wire"
    swiftc "${flags[@]}" Fuzz/Targets/Identifiers.swift Fuzz/Support.swift "${libs[@]}" -o "$out/identifiers"
    swiftc "${flags[@]}" Fuzz/Targets/SessionToken.swift Fuzz/Support.swift -lIMSecurity -lIMGateway "${libs[@]}" "${crypto_flags[@]}" \
        -o "$out/session-token"
}

if [[ ${1:-} == --build-only ]]; then
    build
    exit 0
fi
seconds=${1:?usage: Fuzz/run.sh SECONDS [TARGET...]}
shift
(($# > 0)) && targets=("$@")
build
for target in "${targets[@]}"; do
    corpus=$out/corpus/$target
    mkdir -p "$corpus"
    # The two frame targets start from the same frames.
    seeds=Fuzz/Corpus/$target
    [[ $target == frame-codec || $target == hot-frame-agreement ]] && seeds=Fuzz/Corpus/frames
    echo "fuzz: $target for ${seconds}s from $seeds"
    log=$out/$target.log
    # -timeout: one input taking seconds is a hang worth a look; -rss_limit_mb: a runaway allocation.
    status=0
    "$out/$target" "$corpus" "$seeds" -dict=Fuzz/json.dict -max_total_time="$seconds" \
        -max_len=4096 -timeout=5 -detect_leaks=0 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$out/artifacts/$target-" >"$log" 2>&1 || status=$?
    grep -E '^(INFO: seed corpus|#[0-9]+[[:space:]]+DONE|Done [0-9]+ runs|stat::number_of_executed_units|stat::average_exec_per_sec)' "$log" || true
    if ((status != 0)); then
        tail -n 60 "$log" >&2
        echo "fuzz: $target FAILED (exit $status); the input is in $out/artifacts/, the log in $log" >&2
        exit 1
    fi
done
echo "fuzz: every target ran ${seconds}s without a crash"

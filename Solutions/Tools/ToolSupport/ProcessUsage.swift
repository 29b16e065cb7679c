// Tools support: what a process costs, read from Linux's /proc (im-bench reports it).

import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The resident memory of process `pid` in bytes (Linux `/proc`), if it can be read.
public func residentBytes(ofProcess pid: Int32) -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        let kilobytes = line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
        return kilobytes.map { $0 * 1024 }
    }
    return nil
}

/// CPU time (user + system) a process has used so far, from `/proc/<pid>/stat`; nil elsewhere.
/// Pass `nil` for this process.
public func cpuSeconds(ofProcess pid: Int32?) -> Double? {
    let path = pid.map { "/proc/\($0)/stat" } ?? "/proc/self/stat"
    guard let stat = try? String(contentsOfFile: path, encoding: .utf8),
        let nameEnd = stat.lastIndex(of: ")")
    else { return nil }
    // Fields after the name: state is the 3rd field of the line, utime the 14th, stime the 15th.
    let fields = stat[stat.index(after: nameEnd)...].split(separator: " ")
    guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
}

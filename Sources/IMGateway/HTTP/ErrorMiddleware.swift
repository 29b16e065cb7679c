// LESSON 03 STARTER, generated from Solutions/IMGateway/HTTP/ErrorMiddleware.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 03: every failure leaves the gateway in the one documented error shape.

import CourseSupport
import Foundation
import Hummingbird
import IMCore
import Logging
import NIOCore

/// Turns anything thrown by a route into `{"error": {code, message}}` with the matching status.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = IMRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch {
            let imError = IMError(describing: error)
            if imError.code == .internal {
                context.logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            }
            var response = Response.json(ErrorBody(error: imError), status: .init(code: imError.code.httpStatus))
            if let retryAfter = imError.retryAfter { response.headers[.retryAfter] = String(retryAfter) }
            return response
        }
    }
}

/// The JSON shape of an error answer.
struct ErrorBody: Codable {
    let error: IMError

    /// `error` in this shape, for answers written below the router (a refused WebSocket upgrade).
    static func json(_ error: IMError) -> String {
        (try? JSONCoding.encoder.encode(ErrorBody(error: error))).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

extension IMError {
    /// Maps any error to what a client may see. Details of unexpected errors stay in the log.
    public init(describing error: any Error) {
        switch error {
        case let error as IMError:
            self = error
        case let error as ExerciseNotImplemented:
            self = IMError(.notImplemented, error.description)
        case is NIOTooManyBytesError:
            self = IMError(.frameTooLarge, "request body exceeds the limit")
        case is DecodingError:
            self = IMError.badFrame("request body is not the JSON this endpoint expects")
        case let error as HTTPError where error.status == .notFound:
            self = IMError.notFound("no such route")
        case let error as HTTPError where error.status == .contentTooLarge:
            self = IMError(.frameTooLarge, "request body exceeds the limit")
        case let error as HTTPError where (400..<500).contains(error.status.code):
            self = IMError.badFrame(error.body ?? "bad request")
        default:
            self = IMError.internalFailure
        }
    }
}

extension Response {
    /// A JSON response.
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? JSONCoding.encoder.encode(value)) ?? Data("{}".utf8)
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// The coders of the HTTP API.
enum JSONCoding {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()
    static let decoder = JSONDecoder()
}

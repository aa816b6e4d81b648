import Hummingbird
import NIOCore
import StratusAlarms
import StratusCore

/// An error answered by the Aodh `/v2` routes, in Aodh's (WSME's) shape:
/// `{"error_message": {"faultcode": "Client", "faultstring": …, "debuginfo": null}}`.
struct AodhError: Error, Sendable {
    var status: HTTPResponse.Status
    var faultstring: String

    init(_ status: HTTPResponse.Status, _ faultstring: String) {
        self.status = status
        self.faultstring = faultstring
    }

    /// 400 with `faultstring`.
    static func badRequest(_ faultstring: String) -> AodhError { AodhError(.badRequest, faultstring) }

    /// 404 "Alarm <id> not found" (Aodh's text, also for another project's alarm).
    static func alarmNotFound(_ id: String) -> AodhError { AodhError(.notFound, "Alarm \(id) not found") }

    var response: Response {
        let body: JSONValue = [
            "error_message": [
                "faultcode": .string(status.code < 500 ? "Client" : "Server"),
                "faultstring": .string(faultstring),
                "debuginfo": .null,
            ],
        ]
        return Response.json(body, status: status)
    }

    /// The Aodh answer for any error a `/v2` route throws: store and validation errors by kind, the `/v1`
    /// machinery's `APIError` re-shaped, anything else a logged 500 without internals.
    static func response(for error: any Error, context: APIRequestContext) -> Response {
        switch error {
        case let error as AodhError:
            return error.response
        case let error as AlarmValidationError:
            return AodhError.badRequest(error.reason).response
        case let error as AlarmStoreError:
            switch error.code {
            case .notFound: return AodhError(.notFound, error.message).response
            case .alreadyExists: return AodhError(.conflict, error.message).response
            case .invalidMarker, .invalidQuery: return AodhError.badRequest(error.message).response
            case .invalidURL, .database:
                context.logger.error("Alarm store error", metadata: ["error": "\(error.message)"])
                return AodhError(.internalServerError, "Internal server error").response
            }
        case let error as APIError:
            return AodhError(error.status, text(of: error)).response
        case is NIOTooManyBytesError:
            return AodhError(.contentTooLarge, "Request body too large").response
        default:
            context.logger.error("Unexpected error", metadata: ["error": "\(error)"])
            return AodhError(.internalServerError, "Internal server error").response
        }
    }
}

extension AodhError {
    /// A `/v1` error's message as one line: the description, or "cause: reason" of a structured one.
    static func text(of error: APIError) -> String {
        let text: String
        switch error.description {
        case .string(let message): text = message
        case .object(let fields):
            text = [fields["cause"]?.stringValue, fields["reason"]?.stringValue].compactMap { $0 }.joined(separator: ": ")
        default: text = ""
        }
        return text.isEmpty ? error.status.reasonPhrase : text
    }
}

/// Conversions between the API's `JSONValue` and the alarm library's `TelemetryValue`.
extension JSONValue {
    /// The same document as a `TelemetryValue`.
    var telemetry: TelemetryValue {
        switch self {
        case .null: .null
        case .bool(let flag): .bool(flag)
        case .integer(let number): .int(number)
        case .number(let number): .double(number)
        case .string(let text): .string(text)
        case .array(let items): .list(items.map(\.telemetry))
        case .object(let fields): .dictionary(fields.mapValues(\.telemetry))
        }
    }

    /// A `TelemetryValue` as JSON.
    init(_ value: TelemetryValue) {
        switch value {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .int(let number): self = .integer(number)
        case .double(let number): self = .number(number)
        case .string(let text): self = .string(text)
        case .list(let items): self = .array(items.map(JSONValue.init))
        case .dictionary(let fields): self = .object(fields.mapValues(JSONValue.init))
        }
    }
}

import Hummingbird
import NIOCore

/// Reads a JSON request body as Gnocchi's `deserialize()` does: the media type must be exactly
/// `application/json` (parameters such as `charset` allowed), else 415; a body that is not JSON is a 400
/// `{"cause": "Unable to decode body", "reason": …, "detail": []}`.
enum JSONRequestBody {
    /// The media types Gnocchi accepts for JSON bodies.
    static let jsonMediaTypes: Set<String> = ["application/json"]

    /// The parsed body.
    /// - Parameter mediaTypes: the accepted media types (JSON Patch routes pass their own).
    /// - Throws: `APIError` 415 for another media type, 400 for a body that is not JSON, 413 beyond the upload limit.
    static func read(
        _ request: Request, context: APIRequestContext, mediaTypes: Set<String> = jsonMediaTypes
    ) async throws -> JSONValue {
        try checkMediaType(request, accepting: mediaTypes)
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        return try parse(Array(buffer: buffer))
    }

    /// 415 unless the `Content-Type` media type is one of `mediaTypes`, compared as werkzeug's
    /// `parse_options_header` returns it (trimmed, case kept).
    static func checkMediaType(_ request: Request, accepting mediaTypes: Set<String>) throws(APIError) {
        let header = request.headers[.contentType] ?? ""
        let mediaType = header.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first
            .map { $0.trimmingPythonWhitespace() } ?? ""
        guard mediaTypes.contains(mediaType) else {
            throw APIError(.unsupportedMediaType, "")
        }
    }

    /// Parses body bytes.
    /// - Throws: `APIError` 400 in Gnocchi's `UnableToDecodeBody` shape.
    static func parse(_ bytes: [UInt8]) throws(APIError) -> JSONValue {
        do {
            return try JSONParser.parse(bytes)
        } catch {
            throw APIError(.badRequest, detail: [
                "cause": "Unable to decode body",
                "reason": .string(ujsonReason(error, bytes)),
                // Gnocchi puts the (already consumed) body stream here, which serialises as an empty list.
                "detail": [],
            ])
        }
    }

    /// The wording ujson (Gnocchi's JSON library) uses for the same fault, where it can be told from the strict
    /// parser's failure; the parser's own reason otherwise.
    static func ujsonReason(_ failure: JSONParser.Failure, _ bytes: [UInt8]) -> String {
        let next: UInt8? = failure.offset < bytes.count ? bytes[failure.offset] : nil
        func literal() -> String? {
            switch next {
            case UInt8(ascii: "t"): "Unexpected character found when decoding 'true'"
            case UInt8(ascii: "f"): "Unexpected character found when decoding 'false'"
            case UInt8(ascii: "n"): "Unexpected character found when decoding 'null'"
            default: nil
            }
        }
        switch failure.reason {
        case "Extra data":
            return "Trailing data"
        case "Expecting value":
            return literal() ?? "Expected object or value"
        case "Expecting property name enclosed in double quotes":
            if next == UInt8(ascii: "}") { return "Unexpected character in found when decoding object value" }
            return literal() ?? "Expected object or value"
        case "Expecting ':' delimiter":
            return "No ':' found when decoding object value"
        case "Unterminated string":
            return "Unmatched '\"' when decoding 'string'"
        case "Invalid \\escape":
            return "Unrecognized escape sequence when decoding 'string'"
        default:
            return failure.description
        }
    }
}

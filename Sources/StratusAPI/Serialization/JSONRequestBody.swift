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
            // ujson's wording for the most common failures; the parser's own reason otherwise.
            let blank = bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
            let reason: String
            switch error.reason {
            case _ where blank: reason = "Expected object or value"
            case "Extra data": reason = "Trailing data"
            default: reason = error.description
            }
            throw APIError(.badRequest, detail: [
                "cause": "Unable to decode body",
                "reason": .string(reason),
                "detail": [],
            ])
        }
    }
}

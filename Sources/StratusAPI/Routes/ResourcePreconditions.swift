import Foundation
import HTTPTypes
import Hummingbird
import StratusCore
import StratusIndex

/// Gnocchi's `etag_precondition_check` and `etag_set_headers` (RFC 7232 order, webob's header parsing) for one
/// resource: `ETag` is the SHA-1 of the id and `revision_start`, `Last-Modified` is `revision_start` to the second.
enum ResourcePreconditions {
    /// Throws 412 (empty description) when a condition fails; returns the 304 answer (no body) when the
    /// client's copy is current, nil to go on.
    static func check(_ resource: Resource, _ request: Request) throws(APIError) -> Response? {
        let etag = ResourceBody.etag(resource)
        let lastModified = resource.revisionStart / Timestamps.nanosecondsPerSecond
        let isRead = request.method == .get || request.method == .head
        let ifMatch = request.headers[.ifMatch]
        let ifNoneMatch = request.headers[.ifNoneMatch]
        if let ifMatch, !matches(etag, ifMatch) {
            throw APIError(.preconditionFailed, "")
        } else if ifMatch == nil, let since = request.headers[.ifUnmodifiedSince].flatMap(parseHTTPDate), since < lastModified {
            throw APIError(.preconditionFailed, "")
        }
        if let ifNoneMatch, matches(etag, ifNoneMatch) {
            if isRead { return notModified(resource) }
            throw APIError(.preconditionFailed, "")
        } else if ifNoneMatch == nil, isRead,
                  let since = request.headers[.ifModifiedSince].flatMap(parseHTTPDate), since >= lastModified {
            return notModified(resource)
        }
        return nil
    }

    private static func notModified(_ resource: Resource) -> Response {
        Response(status: .notModified, headers: headers(resource))
    }

    /// `ETag` and `Last-Modified` of a resource.
    static func headers(_ resource: Resource) -> HTTPFields {
        [
            .eTag: "\"\(ResourceBody.etag(resource))\"",
            .lastModified: formatHTTPDate(resource.revisionStart / Timestamps.nanosecondsPerSecond),
        ]
    }

    /// Whether an `If-Match` / `If-None-Match` list (`*`, or quoted tags, weak or not) contains the tag.
    static func matches(_ etag: String, _ header: String) -> Bool {
        for item in header.split(separator: ",") {
            var tag = item.trimmingCharacters(in: .whitespaces)
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag.removeFirst(2) }
            if tag.hasPrefix("\""), tag.hasSuffix("\""), tag.count >= 2 { tag = String(tag.dropFirst().dropLast()) }
            if tag == etag { return true }
        }
        return false
    }

    private static let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// RFC 7231 IMF-fixdate of seconds since the epoch (`Sun, 06 Nov 1994 08:49:37 GMT`).
    static func formatHTTPDate(_ seconds: Int64) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = Timestamps.civil(fromDays: days)
        let weekday = weekdays[Int(((days % 7) + 7) % 7)]
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(weekday), \(two(day)) \(months[Int(month) - 1]) \(year) "
            + "\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60)) GMT"
    }

    /// Seconds since the epoch of an HTTP date (IMF-fixdate, RFC 850 or asctime); nil when unparsable, which
    /// webob treats as an absent header.
    static func parseHTTPDate(_ text: String) -> Int64? {
        let parts = text.replacingOccurrences(of: ",", with: " ").split(separator: " ").map(String.init)
        var day: Int64?, month: Int64?, year: Int64?, time: [Int64]?
        for part in parts {
            if let index = months.firstIndex(of: part) {
                month = Int64(index + 1)
            } else if part.contains(":") {
                let pieces = part.split(separator: ":").compactMap { Int64($0) }
                if pieces.count == 3 { time = pieces }
            } else if part.contains("-") {
                let pieces = part.split(separator: "-").map(String.init)  // RFC 850: 06-Nov-94
                if pieces.count == 3, let d = Int64(pieces[0]), let m = months.firstIndex(of: pieces[1]), let y = Int64(pieces[2]) {
                    day = d
                    month = Int64(m + 1)
                    year = y < 100 ? (y < 70 ? 2000 + y : 1900 + y) : y
                }
            } else if let number = Int64(part) {
                if number > 31 { year = number } else { day = number }
            }
        }
        guard let day, let month, let year, let time, (1...31).contains(day), time[0] < 24, time[1] < 60, time[2] < 61 else {
            return nil
        }
        return Timestamps.days(fromCivil: year, month, day) * 86_400 + time[0] * 3600 + time[1] * 60 + time[2]
    }
}

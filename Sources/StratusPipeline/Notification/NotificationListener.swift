import Foundation
import Hummingbird
import Logging
import NIOCore
import StratusCore

/// The notification agent's HTTP side: `POST /v1/samples` takes a batch of signed meter messages
/// and answers once every sample has been handed to every sink (the acknowledgement the polling
/// agent's spool waits for); `GET /healthcheck`, `GET /metrics`.
///
/// Answers: 200 `{"received", "accepted", "bad_signature", "invalid"}`; 400 when the body is not
/// a batch (the sender must not retry it); 413 over `max_request_bytes`. Messages with a bad
/// signature or unusable fields are counted and skipped; the rest of the batch goes on.
public enum NotificationListener {
    /// The path batches are posted to.
    public static let samplesPath = "/v1/samples"

    /// Adds the routes to `router`.
    public static func addRoutes(
        to router: Router<BasicRequestContext>, queue: PipelineQueue, decoder: SampleBatchDecoder,
        metrics: NotificationMetrics, maxRequestBytes: Int, logger: Logger
    ) {
        router.post(RouterPath(samplesPath)) { request, _ -> Response in
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: maxRequestBytes)
            } catch {
                return json(.contentTooLarge, ["description": .string("the batch is larger than max_request_bytes (\(maxRequestBytes))")])
            }
            let batch: SampleBatchDecoder.Batch
            do {
                batch = try decoder.decode(bytes: Array(body.readableBytesView))
            } catch {
                metrics.update { $0.batches += 1 }
                logger.warning("Refusing a sample batch", metadata: ["error": .string("\(error)")])
                return json(.badRequest, ["description": .string("\(error)")])
            }
            metrics.update {
                $0.batches += 1
                $0.received += batch.received
                $0.badSignature += batch.badSignature
                $0.invalid += batch.invalid
                $0.accepted += batch.samples.count
            }
            if batch.badSignature > 0 {
                logger.warning("Rejected meter messages with a bad signature", metadata: ["count": .stringConvertible(batch.badSignature)])
            }
            if let problem = batch.firstProblem {
                logger.warning("Skipped invalid meter messages", metadata: [
                    "count": .stringConvertible(batch.invalid), "first": .string(problem),
                ])
            }
            await queue.submit(batch.samples)
            return json(.ok, [
                "received": .number(batch.received), "accepted": .number(batch.samples.count),
                "bad_signature": .number(batch.badSignature), "invalid": .number(batch.invalid),
            ])
        }
        router.get("/healthcheck") { _, _ -> HTTPResponse.Status in .ok }
        router.get("/metrics") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.render())))
        }
    }

    private enum Field {
        case string(String)
        case number(Int)
    }

    private static func json(_ status: HTTPResponse.Status, _ fields: KeyValuePairs<String, Field>) -> Response {
        var text = "{"
        for (index, (key, value)) in fields.enumerated() {
            if index > 0 { text += ", " }
            text += "\"\(key)\": "
            switch value {
            case .number(let n): text += String(n)
            case .string(let s): text += TelemetryJSON.encode(.string(s))
            }
        }
        text += "}"
        return Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}

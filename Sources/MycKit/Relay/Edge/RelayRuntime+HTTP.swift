import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// `/health`, `/metrics`, `/admin/allowlist`, `POST /admin/revoke` (PROTOCOL.md §4.8–§4.9),
/// and the refusals of upgrades that fail the HTTP checks.
extension RelayRuntime {
    public func handleHTTP(_ request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void) {
        let ip = policy.clientIP(request)
        let shuttingDown = core.withLock { $0.isShuttingDown }
        let open = connectionsPerIP.withLock { $0[ip, default: 0] }
        switch policy.route(request, shuttingDown: shuttingDown, openFromIP: open) {
        case .health:
            let now = clock()
            let snapshot = core.withLock { $0.healthSnapshot(nowMs: now) }
            let rssMB = ProcessStats.residentBytes() / (1024 * 1024)
            respond(.json(.ok, JSONSerializer.bytes(of: .object(snapshot.jsonObject(rssMB: rssMB, heapMB: rssMB)))))
        case .metrics:
            let (metrics, health) = core.withLock { ($0.metrics, $0.healthSnapshot(nowMs: clock())) }
            let text = PrometheusText.render(metrics, connections: health.totalConnections, rooms: health.rooms.count,
                                             residentBytes: ProcessStats.residentBytes(), cpuSeconds: ProcessStats.cpuSeconds())
            respond(HTTPResponse(status: .ok, contentType: "text/plain; version=0.0.4", body: Array(text.utf8)))
        case .allowList:
            let object = core.withLock { $0.allowListObject }
            respond(.json(.ok, Array(JSONSerializer.prettyString(of: .object(object)).utf8)))
        case let .revoke(body):
            switch RevokeRequest.parse(body) {
            case let .failure(failure):
                respond(.json(.badRequest, JSONSerializer.bytes(of: .object(failure.jsonObject))))
            case let .success(revoke):
                let outcome = Mutex<RevokeResult?>(nil)
                step({ core, now in
                    let (result, actions) = core.revoke(room: revoke.room, name: revoke.name, pubkey: revoke.pubkey,
                                                        undo: revoke.undo, nowMs: now)
                    outcome.withLock { $0 = result }
                    return actions
                }, completion: {
                    let result = outcome.withLock { $0 } ?? RevokeResult(revoked: false, disconnected: false)
                    respond(.json(.ok, JSONSerializer.bytes(of: .object(result.jsonObject))))
                })
            }
        case let .register(body):
            switch RegistrationRequest.parse(body) {
            case let .failure(error):
                respond(.json(.badRequest, JSONSerializer.bytes(of: .object(["error": .string(error.description)]))))
            case let .success(registration):
                let outcome = Mutex<Result<Bool, RegistrationError>?>(nil)
                step({ core, now in
                    let (result, actions) = core.register(registration, nowMs: now)
                    outcome.withLock { $0 = result }
                    return actions
                }, completion: {
                    switch outcome.withLock({ $0 }) {
                    case let .success(changed)?:
                        respond(.json(.ok, JSONSerializer.bytes(of: .object(["registered": .bool(true), "changed": .bool(changed)]))))
                    case let .failure(error)?:
                        respond(.json(.conflict, JSONSerializer.bytes(of: .object(["error": .string(error.description)]))))
                    case nil:
                        respond(.text(.internalServerError, "registration lost"))
                    }
                })
            }
        case let .refuse(response):
            respond(response)
        case .upgrade:
            // Passed every check but was not upgraded by the WebSocket layer.
            respond(.text(.internalServerError, "upgrade failed"))
        }
    }
}

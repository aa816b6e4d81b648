import Foundation
import Hummingbird
import StratusAlarms
import StratusCore
import StratusIndex

/// The Aodh v2 alarm API (reference C7): `/v2/alarms`, one alarm, its state and history, the complex queries,
/// `/v2/capabilities` and `/v2/quotas`. Registered only when the environment carries an alarm store. Errors are Aodh's
/// `{"error_message": …}` bodies (`AodhError`).
struct AlarmRoutes: APIRouteCollection {
    let environment: APIEnvironment

    func register(on group: RouterGroup<APIRequestContext>) {
        guard let store = environment.alarmStore else { return }
        let handlers = AlarmHandlers(environment: environment, store: store)
        func wrap(_ body: @escaping @Sendable (Request, APIRequestContext) async throws -> Response)
            -> @Sendable (Request, APIRequestContext) async throws -> Response
        {
            { request, context in
                do { return try await body(request, context) } catch {
                    return AodhError.response(for: error, context: context)
                }
            }
        }
        group.get("/v2/alarms", use: wrap(handlers.list))
        group.post("/v2/alarms", use: wrap(handlers.create))
        group.get("/v2/alarms/:alarm", use: wrap(handlers.show))
        group.put("/v2/alarms/:alarm", use: wrap(handlers.replace))
        group.delete("/v2/alarms/:alarm", use: wrap(handlers.delete))
        group.get("/v2/alarms/:alarm/state", use: wrap(handlers.state))
        group.put("/v2/alarms/:alarm/state", use: wrap(handlers.setState))
        group.get("/v2/alarms/:alarm/history", use: wrap(handlers.history))
        group.post("/v2/query/alarms", use: wrap(handlers.queryAlarms))
        group.post("/v2/query/alarms/history", use: wrap(handlers.queryHistory))
        group.get("/v2/capabilities", use: wrap { _, _ in AlarmHandlers.capabilities })
        let quotas = AlarmQuotaHandlers(store: store)
        group.get("/v2/quotas", use: wrap(quotas.show))
        group.post("/v2/quotas", use: wrap(quotas.set))
        group.delete("/v2/quotas/:project", use: wrap(quotas.delete))
    }
}

/// The handlers of `AlarmRoutes`.
struct AlarmHandlers: Sendable {
    let environment: APIEnvironment
    let store: any AlarmDatabase

    // MARK: - Collection

    /// `GET /v2/alarms`: `q.field/q.op/q.value` (op `eq`), `sort`, `limit`, `marker`; scoped to the caller.
    func list(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let caller = AlarmCaller(identity: try context.requireIdentity())
        let parameters = QueryParameters(request)
        var allProjects = false
        var filters: [AlarmFilter] = []
        for term in try AlarmQueryParameters.terms(parameters) {
            guard term.op == "eq" else {
                throw AodhError.badRequest(
                    "Invalid input for field/attribute op. Value: '\(term.op)'. unimplemented operator for \(term.field)")
            }
            if term.field == "all_projects" {
                guard let flag = AlarmQueryParameters.bool(term.value) else {
                    throw AodhError.badRequest("Invalid input for field/attribute all_projects. Value: '\(term.value)'")
                }
                allProjects = flag
                continue
            }
            guard AlarmQueryParameters.alarmFields.contains(term.field) else {
                throw AodhError.badRequest(
                    "Unknown argument: \"\(term.field)\": unrecognized field in query, valid keys: "
                        + (["all_projects"] + AlarmQueryParameters.alarmFields.sorted()).joined(separator: ", "))
            }
            filters.append(.equal(term.field, .string(term.value)))
        }
        if allProjects && !caller.isAdmin { throw AodhError(.forbidden, "RBAC Authorization Failed") }
        if let scope = caller.visibility(allProjects: allProjects) { filters.append(scope) }
        var query = try AlarmQueryParameters.pagination(parameters)
        query.filter = filters.isEmpty ? nil : .and(filters)
        let alarms = try await store.listAlarms(query)
        return Response.json(.array(alarms.map { JSONValue($0.json) }))
    }

    /// `POST /v2/alarms`: 201 with the stored alarm; 400 for an invalid body; 401 for another project.
    func create(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let caller = AlarmCaller(identity: try context.requireIdentity())
        let body = try AlarmBody(try await AlarmRequestBody.json(request, context: context))
        let projectID = try owner(body.projectID, default: caller.projectID, caller: caller, kind: "project")
        let userID = try owner(body.userID, default: caller.userID, caller: caller, kind: "user")
        var rule = body.rule
        try await validate(rule, alarmID: nil, caller: caller, projectID: projectID)
        try await AlarmQuotaHandlers(store: store).enforce(project: projectID, user: userID)
        if !caller.isAdmin, let project = caller.projectID { rule = rule.scoped(toProject: project) }
        let now = Date()
        var alarm = Alarm(
            name: body.name, description: body.description, enabled: body.enabled, okActions: body.okActions,
            alarmActions: body.alarmActions, insufficientDataActions: body.insufficientDataActions,
            repeatActions: body.repeatActions, severity: body.severity, timeConstraints: body.timeConstraints,
            rule: rule, projectID: projectID, userID: userID, timestamp: AlarmTimestamp.stored(now),
            state: body.state ?? .insufficientData, stateTimestamp: AlarmTimestamp.stored(now),
            stateReason: body.stateReason ?? Alarm.initialStateReason)
        // Aodh sets evaluate_timestamp at creation, just after `timestamp`: the first evaluation waits half an interval.
        alarm.evaluateTimestamp = AlarmTimestamp.stored(Date())
        let change = AlarmChange.recording(
            .creation, of: alarm, projectID: caller.projectID, userID: caller.userID, at: alarm.timestamp)
        try await store.createAlarm(alarm, change: change)
        return Response.json(JSONValue(alarm.json), status: .created)
    }

    // MARK: - One alarm

    /// `GET /v2/alarms/{id}`.
    func show(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let caller = AlarmCaller(identity: try context.requireIdentity())
        return Response.json(JSONValue(try await visibleAlarm(context, caller).json))
    }

    /// `PUT /v2/alarms/{id}`: full replace; a `rule change` entry records the fields that changed.
    func replace(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let caller = AlarmCaller(identity: try context.requireIdentity())
        let current = try await visibleAlarm(context, caller)
        let body = try AlarmBody(try await AlarmRequestBody.json(request, context: context))
        let projectID = try owner(body.projectID, default: current.projectID, caller: caller, kind: "project")
        let userID = try owner(body.userID, default: current.userID, caller: caller, kind: "user")
        var rule = body.rule
        if rule != current.rule {
            try await validate(rule, alarmID: current.id, caller: caller, projectID: projectID)
            if !caller.isAdmin, let project = caller.projectID { rule = rule.scoped(toProject: project) }
        }
        let now = AlarmTimestamp.stored(Date())
        var alarm = current
        alarm.name = body.name
        alarm.description = body.description ?? Alarm.defaultDescription(type: rule.type)
        alarm.enabled = body.enabled
        alarm.okActions = body.okActions
        alarm.alarmActions = body.alarmActions
        alarm.insufficientDataActions = body.insufficientDataActions
        alarm.repeatActions = body.repeatActions
        alarm.severity = body.severity
        alarm.timeConstraints = body.timeConstraints
        alarm.rule = rule
        alarm.projectID = projectID
        alarm.userID = userID
        alarm.timestamp = now
        if let state = body.state, state != current.state {
            alarm.state = state
            alarm.stateTimestamp = now
        }
        if let reason = body.stateReason { alarm.stateReason = reason }
        let changed = Self.changedFields(from: current, to: alarm)
        let change = changed.isEmpty ? nil : AlarmChange(
            alarmID: alarm.id, type: .ruleChange, detail: TelemetryJSON.encode(.dictionary(changed)),
            projectID: caller.projectID, userID: caller.userID, onBehalfOf: alarm.projectID, timestamp: now,
            severity: alarm.severity.rawValue)
        try await store.updateAlarm(alarm, change: change)
        let stored = try await store.alarm(alarm.id) ?? alarm
        return Response.json(JSONValue(stored.json))
    }

    /// `DELETE /v2/alarms/{id}`: 204; a `deletion` entry keeps the alarm as it was.
    func delete(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let caller = AlarmCaller(identity: try context.requireIdentity())
        let alarm = try await visibleAlarm(context, caller)
        try await store.deleteAlarm(
            alarm.id,
            change: .recording(.deletion, of: alarm, projectID: caller.projectID, userID: caller.userID, at: Date()))
        return Response(status: .noContent)
    }

    /// `GET /v2/alarms/{id}/state`: the state as a JSON string.
    func state(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let caller = AlarmCaller(identity: try context.requireIdentity())
        return Response.json(.string(try await visibleAlarm(context, caller).state.rawValue))
    }

    /// `PUT /v2/alarms/{id}/state` with a JSON string: sets it with reason "Manually set via API", records a
    /// `state transition` with detail `{"state", "state_reason"}`; sends no action.
    func setState(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let caller = AlarmCaller(identity: try context.requireIdentity())
        var alarm = try await visibleAlarm(context, caller)
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        let body: JSONValue
        do { body = try JSONParser.parse(Array(buffer: buffer)) } catch {
            throw AodhError.badRequest("Request is not in valid JSON format")
        }
        guard case .string(let text) = body, let state = AlarmState(rawValue: text) else {
            throw AodhError.badRequest("state invalid")
        }
        let now = AlarmTimestamp.stored(Date())
        let reason = "Manually set via API"
        alarm.state = state
        alarm.stateReason = reason
        alarm.stateTimestamp = now
        let change = AlarmChange(
            alarmID: alarm.id, type: .stateTransition,
            detail: TelemetryJSON.encode(["state": .string(state.rawValue), "state_reason": .string(reason)]),
            projectID: caller.projectID, userID: caller.userID, onBehalfOf: alarm.projectID, timestamp: now,
            severity: alarm.severity.rawValue)
        try await store.updateAlarm(alarm, change: change)
        return Response.json(.string(state.rawValue))
    }

    /// `GET /v2/alarms/{id}/history`: newest first; `q` (any op), `sort`, `limit`, `marker`.
    func history(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let caller = AlarmCaller(identity: try context.requireIdentity())
        let alarmID = try await historyAlarmID(context, caller)
        let parameters = QueryParameters(request)
        var filters: [AlarmFilter] = [.equal("alarm_id", .string(alarmID))]
        for term in try AlarmQueryParameters.terms(parameters) {
            guard let op = AlarmQueryParameters.operators[term.op] else {
                throw AodhError.badRequest("Invalid input for field/attribute op. Value: '\(term.op)'.")
            }
            guard AlarmQueryParameters.historyFields.contains(term.field) else {
                throw AodhError.badRequest(
                    "Unknown argument: \"\(term.field)\": unrecognized field in query, valid keys: "
                        + AlarmQueryParameters.historyFields.sorted().joined(separator: ", "))
            }
            filters.append(.comparison(field: term.field, op: op, value: .string(term.value)))
        }
        var query = try AlarmQueryParameters.pagination(parameters)
        query.filter = .and(filters)
        let changes = try await store.history(query)
        return Response.json(.array(changes.map { JSONValue($0.json) }))
    }

    // MARK: - Complex queries

    /// `POST /v2/query/alarms`.
    func queryAlarms(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let caller = AlarmCaller(identity: try context.requireIdentity())
        var query = try ComplexQuery.parse(
            try await AlarmRequestBody.json(request, context: context), fields: ComplexQuery.alarmFields)
        if let scope = caller.visibility(allProjects: true) {
            query.filter = query.filter.map { .and([scope, $0]) } ?? scope
        }
        let alarms = try await store.listAlarms(query)
        return Response.json(.array(alarms.map { JSONValue($0.json) }))
    }

    /// `POST /v2/query/alarms/history`.
    func queryHistory(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let caller = AlarmCaller(identity: try context.requireIdentity())
        var query = try ComplexQuery.parse(
            try await AlarmRequestBody.json(request, context: context), fields: ComplexQuery.historyFields)
        if var scope = caller.historyVisibility() {
            if caller.projectID == nil {
                // No projects (basic auth): the entries of the caller's alarms, and those they made.
                let owned = try await store.listAlarms(AlarmQuery(filter: caller.visibility(allProjects: false)))
                scope = .or([scope, .in(field: "alarm_id", values: owned.map { .string($0.id.uuidString.lowercased()) })])
            }
            query.filter = query.filter.map { .and([scope, $0]) } ?? scope
        }
        let changes = try await store.history(query)
        return Response.json(.array(changes.map { JSONValue($0.json) }))
    }

    /// `GET /v2/capabilities`.
    static var capabilities: Response {
        Response.json([
            "api": [
                "alarms:query:simple": true, "alarms:query:complex": true,
                "alarms:history:query:simple": true, "alarms:history:query:complex": true,
            ],
            "alarm_storage": ["storage:production_ready": true],
        ])
    }

    // MARK: - Helpers

    /// The alarm named by the path, if the caller may see it; else 404 "Alarm <id> not found".
    func visibleAlarm(_ context: APIRequestContext, _ caller: AlarmCaller) async throws -> Alarm {
        let text = context.parameters.get("alarm") ?? ""
        guard let id = UUID(uuidString: text), let alarm = try await store.alarm(id), caller.canSee(alarm) else {
            throw AodhError.alarmNotFound(text)
        }
        return alarm
    }

    /// The alarm id of a history request: a visible alarm, or (for admins) a deleted one that has history.
    func historyAlarmID(_ context: APIRequestContext, _ caller: AlarmCaller) async throws -> String {
        let text = context.parameters.get("alarm") ?? ""
        guard let id = UUID(uuidString: text) else { throw AodhError.alarmNotFound(text) }
        if let alarm = try await store.alarm(id) {
            guard caller.canSee(alarm) else { throw AodhError.alarmNotFound(text) }
        } else {
            // A deleted alarm's history stays readable by its project (by on_behalf_of) or an admin.
            var filters: [AlarmFilter] = [.equal("alarm_id", .string(id.uuidString))]
            if let scope = caller.historyVisibility() { filters.append(scope) }
            guard try await !store.history(AlarmQuery(filter: .and(filters), limit: 1)).isEmpty else {
                throw AodhError.alarmNotFound(text)
            }
        }
        return id.uuidString.lowercased()
    }

    /// The owner (project or user) of a new or replaced alarm: a value only an admin may set to someone else.
    func owner(_ requested: String?, default fallback: String?, caller: AlarmCaller, kind: String) throws(AodhError)
        -> String?
    {
        guard let requested else { return fallback }
        let own = kind == "project" ? caller.projectID : caller.userID
        guard caller.isAdmin || requested == own || requested == fallback else {
            throw AodhError(.unauthorized, "Not Authorized to access \(kind) \(requested)")
        }
        return requested
    }

    /// Checks that need the store or the index: a combination's alarms exist and are visible (and are not the
    /// alarm itself); a by_resources query is one Gnocchi's search accepts for its resource type (400 with
    /// Gnocchi's message — real Aodh answers 500 here).
    func validate(_ rule: AlarmRule, alarmID: UUID?, caller: AlarmCaller, projectID: String?) async throws {
        for id in rule.alarmIDs {
            if id == alarmID {
                throw AodhError.badRequest("Cannot specify alarm \(id.uuidString.lowercased()) itself in combination rule")
            }
            guard let other = try await store.alarm(id), caller.canSee(other),
                  caller.isAdmin || projectID == nil || other.projectID == projectID else {
                let project = caller.isAdmin ? nil : projectID
                throw AodhError(
                    .notFound,
                    project.map { "Alarm \(id.uuidString.lowercased()) not found in project \($0)" }
                        ?? "Alarm \(id.uuidString.lowercased()) not found")
            }
        }
        let leaves: [AlarmRule]
        if case .composite(let tree) = rule { leaves = tree.leaves } else { leaves = [rule] }
        for leaf in leaves {
            guard case .gnocchiAggregationByResourcesThreshold(let byResources) = leaf else { continue }
            try await validateSearch(byResources, caller: caller)
        }
    }

    /// Runs the by_resources search once (limit 1) through Stratus's own `/v1` parser and index, as Aodh asks
    /// Gnocchi to.
    func validateSearch(_ rule: GnocchiAggregationByResourcesThresholdRule, caller: AlarmCaller) async throws {
        let creator = caller.identity.user
        let filter: SearchExpression?
        do {
            filter = try ResourceSearchSchema.parse(JSONValue(rule.queryValue), creator: creator)
        } catch {
            throw AodhError.badRequest(AodhError.text(of: error.apiError))
        }
        do {
            _ = try await environment.core.indexer.listResources(
                type: rule.resourceType, query: ResourceQuery(filter: filter, limit: 1, creator: creator))
        } catch let error as SearchError {
            throw AodhError.badRequest(error.message)
        } catch let error as IndexError where error.code != .database {
            throw AodhError.badRequest(error.message)
        }
    }

    /// The fields that differ between two versions of an alarm (new values), as Aodh records a rule change:
    /// the stored form with `"rule"`, without `timestamp` and `state_timestamp`.
    static func changedFields(from old: Alarm, to new: Alarm) -> [String: TelemetryValue] {
        guard case .dictionary(let before) = old.storedJSON, case .dictionary(let after) = new.storedJSON else { return [:] }
        var changed: [String: TelemetryValue] = [:]
        for (key, value) in after where key != "timestamp" && key != "state_timestamp" && before[key] != value {
            changed[key] = value
        }
        return changed
    }
}

/// Reads JSON request bodies of the alarm routes.
enum AlarmRequestBody {
    /// The parsed body. - Throws: `AodhError` 400 "Request is not in valid JSON format".
    static func json(_ request: Request, context: APIRequestContext) async throws -> JSONValue {
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        do { return try JSONParser.parse(Array(buffer: buffer)) } catch {
            throw AodhError.badRequest("Request is not in valid JSON format")
        }
    }
}

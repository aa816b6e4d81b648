import StratusAlarms
import StratusCore

/// The caller of an Aodh route, as the alarm API sees them: owner ids for new alarms and what they may see.
///
/// Scoping (the `/v1` identities, Aodh's rules): with a project (keystone mode) a caller sees their project's
/// alarms; an admin also sees every alarm by id and, with `q.field=all_projects`, in lists. Without a project
/// (basic, remoteuser, noauth) an admin sees everything and anyone else the alarms they created.
struct AlarmCaller: Sendable {
    let identity: Identity

    var isAdmin: Bool { identity.isAdmin }

    /// The project new alarms belong to.
    var projectID: String? { identity.projectId }

    /// The user new alarms belong to: `X-User-Id` in keystone mode, the user name otherwise.
    var userID: String? {
        // Keystone identities carry ids (the user may be absent); the others a user name.
        if identity.userId != nil || identity.projectId != nil { return identity.userId.flatMap { $0.isEmpty ? nil : $0 } }
        return identity.user.isEmpty ? nil : identity.user
    }

    /// The filter restricting a listing to what the caller may see; nil for everything.
    func visibility(allProjects: Bool) -> AlarmFilter? {
        if isAdmin && (allProjects || projectID == nil) { return nil }
        if let projectID { return .equal("project_id", .string(projectID)) }
        guard let userID else { return .or([]) }  // nobody: matches nothing
        return .equal("user_id", .string(userID))
    }

    /// The filter restricting history entries to the caller's alarms (by `on_behalf_of`, the alarm's project).
    func historyVisibility() -> AlarmFilter? {
        if isAdmin { return nil }
        if let projectID { return .equal("on_behalf_of", .string(projectID)) }
        guard let userID else { return .or([]) }
        return .equal("user_id", .string(userID))
    }

    /// Whether the caller may see (and so read or change) `alarm` by id.
    func canSee(_ alarm: Alarm) -> Bool {
        if isAdmin { return true }
        if let projectID { return alarm.projectID == projectID }
        return alarm.userID != nil && alarm.userID == userID
    }
}

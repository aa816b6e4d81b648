/// What a policy rule is checked against (oslo.policy's target).
public struct PolicyTarget: Sendable, Hashable {
    /// `creator` of the object (metric, resource).
    public var creator: String?
    /// `project_id` of a resource.
    public var projectId: String?
    /// `project_id` of the resource a metric is attached to.
    public var resourceProjectId: String?

    public init(creator: String? = nil, projectId: String? = nil, resourceProjectId: String? = nil) {
        self.creator = creator
        self.projectId = projectId
        self.resourceProjectId = resourceProjectId
    }

    /// The project part of a `user:project` creator.
    var createdByProjectId: String? {
        guard let creator, let colon = creator.firstIndex(of: ":") else { return nil }
        return String(creator[creator.index(after: colon)...])
    }
}

/// Gnocchi's default policy (A7), rule by rule.
public enum PolicyRule: String, Sendable, CaseIterable {
    case getStatus = "get status"
    case createArchivePolicy = "create archive policy"
    case getArchivePolicy = "get archive policy"
    case listArchivePolicy = "list archive policy"
    case updateArchivePolicy = "update archive policy"
    case deleteArchivePolicy = "delete archive policy"
    case createArchivePolicyRule = "create archive policy rule"
    case getArchivePolicyRule = "get archive policy rule"
    case listArchivePolicyRule = "list archive policy rule"
    case updateArchivePolicyRule = "update archive policy rule"
    case deleteArchivePolicyRule = "delete archive policy rule"
    case createMetric = "create metric"
    case getMetric = "get metric"
    case listMetric = "list metric"
    case deleteMetric = "delete metric"
    case searchMetric = "search metric"
    case getMeasures = "get measures"
    case postMeasures = "post measures"
    case createResource = "create resource"
    case getResource = "get resource"
    case listResource = "list resource"
    case updateResource = "update resource"
    case deleteResource = "delete resource"
    case deleteResources = "delete resources"
    case searchResource = "search resource"
    case createResourceType = "create resource type"
    case getResourceType = "get resource type"
    case listResourceType = "list resource type"
    case updateResourceType = "update resource type"
    case deleteResourceType = "delete resource type"

    /// Whether `identity` may do this to `target`.
    public func allows(_ identity: Identity, _ target: PolicyTarget = PolicyTarget()) -> Bool {
        let admin = identity.isAdmin
        let adminOrService = admin || identity.isService
        let creator = (target.creator != nil && target.creator == identity.user)
            || (identity.projectId != nil && target.createdByProjectId == identity.projectId)
        let metricOwner = identity.projectId != nil && target.resourceProjectId == identity.projectId
        let resourceOwner = identity.projectId != nil && target.projectId == identity.projectId
        switch self {
        case .getArchivePolicy, .listArchivePolicy, .getArchivePolicyRule, .listArchivePolicyRule, .createMetric:
            return true
        case .getStatus, .updateArchivePolicy, .deleteArchivePolicy,
             .createArchivePolicyRule, .updateArchivePolicyRule, .deleteArchivePolicyRule:
            return admin
        case .createArchivePolicy:
            return adminOrService
        case .getMetric, .getMeasures:
            return adminOrService || creator || metricOwner
        case .deleteMetric:
            return admin || creator
        case .listMetric, .searchMetric:
            return admin || creator || metricOwner
        case .postMeasures:
            return adminOrService || creator
        case .createResource, .getResourceType, .listResourceType:
            return true
        case .getResource, .listResource:
            return admin || creator || resourceOwner
        case .updateResource:
            return adminOrService || creator
        case .deleteResource, .deleteResources:
            return admin || creator
        case .searchResource:
            return adminOrService || creator || resourceOwner
        case .createResourceType, .updateResourceType:
            return adminOrService
        case .deleteResourceType:
            return admin
        }
    }

    /// Throws 403 unless allowed.
    public func enforce(_ identity: Identity, _ target: PolicyTarget = PolicyTarget()) throws(APIError) {
        guard allows(identity, target) else {
            throw APIError(.forbidden, "")
        }
    }
}

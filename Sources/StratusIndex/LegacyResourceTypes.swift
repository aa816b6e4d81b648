import Foundation

/// The resource types Ceilometer needs in Gnocchi (what `ceilometer-upgrade` creates through
/// `gnocchi_client.upgrade_resource_types`): its `resources_initial`, then its `resources_update_operations`
/// in order. `stratus upgrade --create-legacy-resource-types` and the pipeline's `gnocchi://` publisher (on
/// first use) call `createLegacyResourceTypes(in:)`.
public enum LegacyResourceTypes {
    /// One step of the upgrade.
    enum Operation {
        /// Create the type unless it exists.
        case create(String, [ResourceAttribute])
        /// Add the attributes a type lacks, filling existing resources with the value.
        case add(String, [(ResourceAttribute, ResourceAttributeValue)])
    }

    private static func string(_ name: String, required: Bool, maxLength: Int = 255) -> ResourceAttribute {
        // The names are valid literals: the initializer cannot fail on them.
        (try? ResourceAttribute(name: name, kind: .string(minLength: 0, maxLength: maxLength), required: required))!
    }

    private static func attribute(_ name: String, _ kind: ResourceAttribute.Kind, required: Bool) -> ResourceAttribute {
        (try? ResourceAttribute(name: name, kind: kind, required: required))!
    }

    /// Ceilometer's `resources_initial` and `resources_update_operations`, in order.
    static let operations: [Operation] = [
        .create("image", [string("name", required: true), string("container_format", required: true),
                          string("disk_format", required: true)]),
        .create("instance", [string("flavor_id", required: true), string("image_ref", required: false),
                             string("host", required: true), string("display_name", required: true),
                             string("server_group", required: false)]),
        .create("instance_disk", [string("name", required: true), attribute("instance_id", .uuid, required: true)]),
        .create("instance_network_interface", [string("name", required: true),
                                               attribute("instance_id", .uuid, required: true)]),
        .create("volume", [string("display_name", required: false)]),
        .create("swift_account", []),
        .create("ceph_account", []),
        .create("network", []),
        .create("identity", []),
        .create("ipmi", []),
        .create("stack", []),
        .create("host", [string("host_name", required: true)]),
        .create("host_network_interface", [string("host_name", required: true), string("device_name", required: false)]),
        .create("host_disk", [string("host_name", required: true), string("device_name", required: false)]),
        .add("volume", [(string("volume_type", required: false), .null)]),
        .add("instance", [(string("flavor_name", required: true), .string(""))]),
        .create("nova_compute", [string("host_name", required: true)]),
        .create("manila_share", [string("name", required: false), string("host", required: true),
                                 string("protocol", required: false), string("availability_zone", required: false),
                                 string("status", required: true)]),
        .create("switch", [string("controller", required: true)]),
        .create("switch_port", [string("switch", required: true, maxLength: 64),
                                attribute("port_number_on_switch", .number(min: 0, max: 4_294_967_295), required: false),
                                string("neutron_port_id", required: false), string("controller", required: true)]),
        .create("port", [string("controller", required: true)]),
        .create("switch_table", [string("switch", required: true, maxLength: 64), string("controller", required: true)]),
        .create("volume_provider", []),
        .create("volume_provider_pool", [string("provider", required: true)]),
        .create("ipmi_sensor", [string("node", required: true)]),
        .add("instance", [(attribute("launched_at", .datetime, required: false), .null),
                          (attribute("created_at", .datetime, required: false), .null),
                          (attribute("deleted_at", .datetime, required: false), .null)]),
        .add("volume", [(attribute("image_id", .uuid, required: false), .null),
                        (attribute("instance_id", .uuid, required: false), .null)]),
        .create("loadbalancer", []),
    ]

    /// The names of every type the operations create.
    public static var names: [String] {
        operations.compactMap { if case .create(let name, _) = $0 { name } else { nil } }
    }
}

extension Indexer {
    /// Creates Ceilometer's resource types and adds their later attributes, skipping what exists; idempotent.
    /// - Returns: the names of the types created or changed.
    /// - Throws: `IndexError`.
    @discardableResult
    public func createLegacyResourceTypes() async throws -> [String] {
        var changed: [String] = []
        for operation in LegacyResourceTypes.operations {
            switch operation {
            case .create(let name, let attributes):
                guard try await resourceType(named: name) == nil else { continue }
                do {
                    _ = try await createResourceType(ResourceType(name: name, attributes: attributes))
                    changed.append(name)
                } catch let error as IndexError where error.code == .resourceTypeAlreadyExists {
                    continue  // created concurrently
                }
            case .add(let name, let additions):
                guard let current = try await resourceType(named: name) else { continue }
                let missing = additions.filter { current.attribute(named: $0.0.name) == nil }
                guard !missing.isEmpty else { continue }
                _ = try await updateResourceType(
                    named: name, ResourceTypeUpdate(add: missing.map { (attribute: $0.0, fill: $0.1) }))
                if !changed.contains(name) { changed.append(name) }
            }
        }
        return changed
    }
}

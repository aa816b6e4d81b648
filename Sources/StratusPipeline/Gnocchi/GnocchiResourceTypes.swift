import StratusCore

/// The Gnocchi resource types Ceilometer's `ceilometer-upgrade` creates (`gnocchi_client.py`:
/// `resources_initial` with every later `resources_update_operations` applied, Ceilometer
/// 27.0.0), which the Gnocchi publisher creates when they are missing (reference B10).
public enum GnocchiResourceTypes {
    private static func string(required: Bool) -> TelemetryValue {
        ["type": "string", "min_length": 0, "max_length": 255, "required": .bool(required)]
    }

    private static func other(_ type: String, required: Bool) -> TelemetryValue {
        ["type": .string(type), "required": .bool(required)]
    }

    /// The attributes of each type Ceilometer knows.
    public static let attributes: [String: [String: TelemetryValue]] = [
        "image": ["name": string(required: true), "container_format": string(required: false), "disk_format": string(required: false)],
        "instance": [
            "flavor_id": string(required: true), "image_ref": string(required: false), "host": string(required: false),
            "display_name": string(required: true), "server_group": string(required: false), "flavor_name": string(required: true),
            "launched_at": other("datetime", required: false), "created_at": other("datetime", required: false),
            "deleted_at": other("datetime", required: false), "availability_zone": string(required: false),
        ],
        "instance_disk": ["name": string(required: true), "instance_id": other("uuid", required: true)],
        "instance_network_interface": ["name": string(required: true), "instance_id": other("uuid", required: true)],
        "volume": [
            "display_name": string(required: false), "volume_type": string(required: false),
            "image_id": other("uuid", required: false), "instance_id": other("uuid", required: false),
            "volume_type_id": string(required: false),
        ],
        "swift_account": ["storage_policy": string(required: false)],
        "ceph_account": [:], "network": [:], "identity": [:], "ipmi": [:], "stack": [:],
        "host": ["host_name": string(required: true)],
        "host_network_interface": ["host_name": string(required: true), "device_name": string(required: false)],
        "host_disk": ["host_name": string(required: true), "device_name": string(required: false)],
        "nova_compute": ["host_name": string(required: true)],
        "manila_share": [
            "name": string(required: false), "host": string(required: true), "protocol": string(required: false),
            "availability_zone": string(required: false), "status": string(required: true),
        ],
        "volume_provider": [:],
        "volume_provider_pool": ["provider": string(required: true)],
        "ipmi_sensor": ["node": string(required: true)],
        "loadbalancer": [
            "name": string(required: false), "availability_zone": string(required: false),
            "vip_address": string(required: false), "provider": string(required: false),
        ],
        "dns_zone": [
            "zone_name": string(required: false), "email": string(required: false), "zone_type": string(required: false),
            "pool_id": string(required: false),
        ],
        "volume_service": [
            "host": string(required: false), "binary": string(required: false), "zone": string(required: false),
            "status": string(required: false),
        ],
    ]

    /// The body of `POST /v1/resource_type` for `name`: Ceilometer's schema when it knows the
    /// type, else every attribute the definition maps, as an optional string.
    public static func body(for resource: GnocchiResourcesDefinition.Resource) -> TelemetryValue {
        let known = attributes[resource.resourceType]
        var fields: [String: TelemetryValue] = known ?? [:]
        if known == nil {
            for attribute in resource.attributes { fields[attribute.name] = string(required: false) }
        }
        return ["name": .string(resource.resourceType), "attributes": .dictionary(fields)]
    }
}

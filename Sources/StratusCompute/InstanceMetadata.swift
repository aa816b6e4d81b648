import StratusCore
import StratusPolling

/// The resource metadata of every compute sample (Ceilometer's `_get_metadata_from_object`).
public enum InstanceMetadata {
    /// The prefix of server metadata keys copied into `user_metadata`.
    public static let reservedPrefix = "metering."
    /// The longest `user_metadata` value kept (Ceilometer's `reserved_metadata_length`).
    public static let reservedLength = 256

    /// `display_name, name, instance_id, instance_type, host, instance_host, flavor, status,
    /// state, task_state, image, image_ref, image_ref_url, os_type, architecture, vcpus,
    /// memory_mb, disk_gb, ephemeral_gb, root_gb` and `user_metadata` when the server has
    /// `metering.*` metadata.
    public static func metadata(_ instance: InstanceDescription) -> [String: TelemetryValue] {
        let flavor = instance.flavor
        var metadata: [String: TelemetryValue] = [
            "display_name": .string(instance.displayName),
            "name": .string(instance.domainName),
            "instance_id": .string(instance.id),
            "instance_type": flavor["name"] ?? .null,
            "host": instance.extra["host_id"] ?? .null,
            "instance_host": TelemetryValue(instance.host),
            "flavor": .dictionary(flavor),
            "status": TelemetryValue(instance.status),
            "state": instance.extra["vm_state"] ?? .null,
            "task_state": .null,
        ]
        if let image = instance.image {
            metadata["image"] = .dictionary(image)
            metadata["image_ref"] = image["id"] ?? .null
            metadata["image_ref_url"] = .null
        } else {
            metadata["image"] = .null
            metadata["image_ref"] = .null
            metadata["image_ref_url"] = .null
        }
        for key in ["os_type", "architecture"] {
            if let value = instance.extra[key] { metadata[key] = value }
        }
        let disk = flavor["disk"]?.doubleValue.map { Int64($0) }
        let ephemeral = flavor["ephemeral"]?.doubleValue.map { Int64($0) }
        metadata["vcpus"] = flavor["vcpus"] ?? .null
        metadata["memory_mb"] = flavor["ram"] ?? .null
        metadata["disk_gb"] = flavor["disk"] ?? .null
        metadata["ephemeral_gb"] = flavor["ephemeral"] ?? .null
        if let disk, let ephemeral {
            metadata["root_gb"] = .int(disk - ephemeral)
        } else {
            metadata["root_gb"] = .null
        }
        var user = [String: TelemetryValue]()
        for (key, value) in instance.serverMetadata where key.hasPrefix(reservedPrefix) {
            let name = String(key.dropFirst(reservedPrefix.count)).replacingDots()
            guard metadata[name] == nil else { continue }
            user[name] = .string(String(value.prefix(reservedLength)))
        }
        if !user.isEmpty { metadata["user_metadata"] = .dictionary(user) }
        return metadata
    }
}

extension String {
    fileprivate func replacingDots() -> String {
        String(map { $0 == "." ? "_" : $0 })
    }
}

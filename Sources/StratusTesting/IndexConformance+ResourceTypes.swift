import Foundation
import StratusIndex

extension IndexConformance {
    /// The resource type checks, in a stable order (run by `SQLiteResourceIndexTests` / `PostgresResourceIndexTests`).
    public static let resourceTypeChecks: [Check] = {
        let suite = IndexConformance()
        return [
            Check(name: "genericTypeExistsAfterUpgrade", run: suite.genericTypeExistsAfterUpgrade),
            Check(name: "resourceTypesRoundTrip", run: suite.resourceTypesRoundTrip),
            Check(name: "duplicateResourceTypeIsRejected", run: suite.duplicateResourceTypeIsRejected),
            Check(name: "resourceTypeUpdateAddsFillsAndDropsColumns", run: suite.resourceTypeUpdateAddsFillsAndDropsColumns),
            Check(name: "resourceTypeInUseCannotBeDeleted", run: suite.resourceTypeInUseCannotBeDeleted),
            Check(name: "legacyResourceTypesAreIdempotent", run: suite.legacyResourceTypesAreIdempotent),
        ]
    }()

    /// A type with one attribute of each kind.
    func everyKindType(_ name: String = "server") throws -> ResourceType {
        ResourceType(name: name, attributes: [
            try ResourceAttribute(name: "host", kind: .string(minLength: 0, maxLength: 255)),
            try ResourceAttribute(name: "image", kind: .uuid, required: false),
            try ResourceAttribute(name: "vcpus", kind: .number(min: 1, max: 64), required: false),
            try ResourceAttribute(name: "active", kind: .bool, required: false),
            try ResourceAttribute(name: "launched_at", kind: .datetime, required: false),
        ])
    }

    func genericTypeExistsAfterUpgrade(_ indexer: any Indexer) async throws {
        let generic = try await indexer.resourceType(named: "generic")
        try expectEqual(generic, ResourceType(name: "generic", attributes: [], state: .active), "generic type")
        try await expectError(.resourceTypeInUse, message: "Resource type generic is still in use", "deleting generic") {
            try await indexer.deleteResourceType(named: "generic")
        }
        try await indexer.upgrade()
        try expectEqual(try await indexer.resourceTypes().map(\.name), ["generic"], "types after a second upgrade")
    }

    func resourceTypesRoundTrip(_ indexer: any Indexer) async throws {
        let type = try everyKindType()
        let created = try await indexer.createResourceType(type)
        try expectEqual(created, type, "created type")
        try expectEqual(try await indexer.resourceType(named: "server"), type, "stored type")
        try expectEqual(try await indexer.resourceTypes().map(\.name), ["generic", "server"], "type names")
        try expect(try await indexer.resourceType(named: "nope") == nil, "unknown type is nil")
        try await indexer.deleteResourceType(named: "server")
        try expect(try await indexer.resourceType(named: "server") == nil, "deleted type is gone")
        // The name can be reused: its tables were dropped.
        _ = try await indexer.createResourceType(type)
        try await expectError(.resourceTypeNotFound, message: "Resource type nope does not exist", "deleting unknown") {
            try await indexer.deleteResourceType(named: "nope")
        }
    }

    func duplicateResourceTypeIsRejected(_ indexer: any Indexer) async throws {
        _ = try await indexer.createResourceType(ResourceType(name: "dup"))
        try await expectError(.resourceTypeAlreadyExists, message: "Resource type dup already exists", "duplicate") {
            _ = try await indexer.createResourceType(ResourceType(name: "dup"))
        }
        try await expectError(.resourceTypeAlreadyExists, "generic") {
            _ = try await indexer.createResourceType(ResourceType(name: "generic"))
        }
        // Names that would clash as columns are refused before any table is made.
        for names in [["Host", "host"], ["original_resource_id"], ["ID"]] {
            let attributes = try names.map { try ResourceAttribute(name: $0, kind: .bool) }
            try await expectError(.invalidResourceAttribute, "clashing columns \(names)") {
                _ = try await indexer.createResourceType(ResourceType(name: "clash", attributes: attributes))
            }
        }
        try expect(try await indexer.resourceType(named: "clash") == nil, "no half-made type")
    }

    func resourceTypeUpdateAddsFillsAndDropsColumns(_ indexer: any Indexer) async throws {
        _ = try await indexer.createResourceType(try everyKindType())
        let id = UUID()
        _ = try await indexer.createResource(ResourceCreation(
            id: id, type: "server", creator: "admin", attributes: ["host": .string("h1")]))
        let flavor = try ResourceAttribute(name: "flavor", kind: .string(minLength: 0, maxLength: 10))
        let updated = try await indexer.updateResourceType(
            named: "server", ResourceTypeUpdate(add: [(attribute: flavor, fill: .string("m1"))], remove: ["image"]))
        try expectEqual(updated.attributes.map(\.name), ["active", "flavor", "host", "launched_at", "vcpus"], "attributes")
        try expectEqual(try await indexer.resourceType(named: "server"), updated, "stored update")
        let resource = try await indexer.resource(type: "server", id: id)
        try expectEqual(resource?.attributes["flavor"], .string("m1"), "filled value")
        try expect(resource?.attributes["image"] == nil, "dropped attribute is gone")

        // Making an optional attribute required fills its NULLs.
        let vcpus = try ResourceAttribute(name: "vcpus", kind: .number(min: 1, max: 64), required: true)
        _ = try await indexer.updateResourceType(named: "server", ResourceTypeUpdate(change: [(attribute: vcpus, fill: .number(2))]))
        try expectEqual(try await indexer.resource(type: "server", id: id)?.attributes["vcpus"], .number(2), "filled NULL")

        let asUUID = try ResourceAttribute(name: "host", kind: .uuid)
        try await expectError(.invalidResourceTypeUpdate, "type change") {
            _ = try await indexer.updateResourceType(named: "server", ResourceTypeUpdate(change: [(attribute: asUUID, fill: .null)]))
        }
        try await expectError(.invalidResourceTypeUpdate, "removing an unknown attribute") {
            _ = try await indexer.updateResourceType(named: "server", ResourceTypeUpdate(remove: ["nope"]))
        }
        try await expectError(.resourceTypeNotFound, "unknown type") {
            _ = try await indexer.updateResourceType(named: "nope", ResourceTypeUpdate(remove: ["x"]))
        }
    }

    func resourceTypeInUseCannotBeDeleted(_ indexer: any Indexer) async throws {
        _ = try await indexer.createResourceType(ResourceType(name: "used"))
        let id = UUID()
        _ = try await indexer.createResource(ResourceCreation(id: id, type: "used", creator: "admin"))
        try await expectError(.resourceTypeInUse, message: "Resource type used is still in use", "type with a resource") {
            try await indexer.deleteResourceType(named: "used")
        }
        try await indexer.deleteResource(id: id)
        try await indexer.deleteResourceType(named: "used")
    }

    func legacyResourceTypesAreIdempotent(_ indexer: any Indexer) async throws {
        let created = try await indexer.createLegacyResourceTypes()
        try expect(created.contains("instance") && created.contains("instance_disk"), "created \(created)")
        let instance = try await indexer.resourceType(named: "instance")
        try expectEqual(
            instance?.attributes.map(\.name),
            ["created_at", "deleted_at", "display_name", "flavor_id", "flavor_name", "host", "image_ref", "launched_at",
             "server_group"],
            "instance attributes")
        try expectEqual(instance?.attribute(named: "instance_id"), nil, "no instance_id on instance")
        try expectEqual(
            try await indexer.resourceType(named: "instance_disk")?.attribute(named: "instance_id")?.kind, .uuid, "disk instance_id")
        try expectEqual(try await indexer.createLegacyResourceTypes(), [], "second run changes nothing")
        try expectEqual(
            Set(try await indexer.resourceTypes().map(\.name)), Set(LegacyResourceTypes.names + ["generic"]), "every type")
    }
}

import Foundation
import HTTPTypes
import StratusAPI
import Testing

/// `/v1/resource_type`, in-process, against Gnocchi 4.7.1's answers.
@Suite struct ResourceTypeRoutesTests {
    static let patchHeaders: HTTPFields = [.contentType: "application/json-patch+json"]

    @Test func createShowListAndDelete() async throws {
        try await withAPI { client, _ in
            let created = try await client.post("/v1/resource_type", [
                "name": "server",
                "attributes": [
                    "host": ["type": "string", "max_length": 64],
                    "image": ["type": "uuid", "required": false],
                    "vcpus": ["type": "number", "min": 1, "required": false],
                    "active": ["type": "bool", "required": false],
                    "launched": ["type": "datetime", "required": false],
                ],
            ])
            #expect(created.status == .created)
            #expect(created.headers[.location]?.hasSuffix("/v1/resource_type/server") == true)
            let json = try #require(created.json)
            #expect(json["state"] == "active")
            #expect(json["attributes"]?["host"] == ["type": "string", "required": true, "min_length": 0, "max_length": 64])
            #expect(json["attributes"]?["vcpus"] == ["type": "number", "required": false, "min": 1, "max": nil])
            #expect(json["attributes"]?["image"] == ["type": "uuid", "required": false])

            let shown = try await client.get("/v1/resource_type/server")
            #expect(shown.json == json)
            let list = try await client.get("/v1/resource_type")
            #expect(list.json?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["generic", "server"])
            #expect(try await client.get("/v1/resource").json?["server"]?.stringValue?.hasSuffix("/v1/resource/server") == true)

            #expect(try await client.post("/v1/resource_type", ["name": "server"]).status == .conflict)
            #expect(try await client.delete("/v1/resource_type/server").status == .noContent)
            let missing = try await client.get("/v1/resource_type/server")
            #expect(missing.status == .notFound)
            #expect(missing.json?["description"] == "Resource type server does not exist")
        }
    }

    @Test func invalidDefinitionsAreRefusedAsGnocchi() async throws {
        try await withAPI { client, _ in
            let badName = try await client.post("/v1/resource_type", ["name": "t", "attributes": ["id": ["type": "string"]]])
            #expect(badName.status == .badRequest)
            #expect(badName.json?["description"] == "Invalid input: Resource attribute name id is invalid")
            let bounds = try await client.post("/v1/resource_type", [
                "name": "t", "attributes": ["a": ["type": "string", "min_length": 5, "max_length": 3]],
            ])
            #expect(bounds.json?["description"]?.stringValue?.hasPrefix("Invalid input: Resource attribute value min") == true)
            let unknownType = try await client.post("/v1/resource_type", ["name": "t", "attributes": ["a": ["type": "blob"]]])
            #expect(unknownType.status == .badRequest)
            #expect(unknownType.json?["description"]?["cause"] == "Invalid input")
            let extra = try await client.post("/v1/resource_type", ["name": "t", "foo": 1])
            #expect(extra.json?["description"]?["reason"] == "extra keys not allowed @ data['foo']")
            let tooLong = try await client.post("/v1/resource_type", [
                "name": "t", "attributes": ["a": ["type": "string", "max_length": 257]],
            ])
            #expect(tooLong.json?["description"]?["reason"]
                == "value must be at most 256 for dictionary value @ data['attributes']['a']['max_length']")
            let clash = try await client.post("/v1/resource_type", [
                "name": "t", "attributes": ["Host": ["type": "string"], "host": ["type": "string"]],
            ])
            #expect(clash.status == .badRequest)
            #expect(clash.json?["description"]?.stringValue?.hasPrefix("Invalid input: Resource attribute name") == true)
            let forbidden = try await client.post("/v1/resource_type", ["name": "t"], user: "bob")
            #expect(forbidden.status == .forbidden)
        }
    }

    @Test func patchAddsAndRemovesAttributes() async throws {
        try await withAPI { client, _ in
            _ = try await client.post("/v1/resource_type", ["name": "box", "attributes": ["old": ["type": "string"]]])
            _ = try await client.post("/v1/resource/box", ["id": "b1", "old": "x"])
            let patch: JSONValue = [
                ["op": "add", "path": "/attributes/size", "value": ["type": "number", "required": true, "options": ["fill": 3]]],
                ["op": "remove", "path": "/attributes/old"],
            ]
            let wrongType = try await client.request(.patch, "/v1/resource_type/box", json: patch)
            #expect(wrongType.status == .unsupportedMediaType)
            let patched = try await client.request(.patch, "/v1/resource_type/box", json: patch, headers: Self.patchHeaders)
            #expect(patched.status == .ok)
            #expect(patched.json?["attributes"] == ["size": ["type": "number", "required": true, "min": nil, "max": nil]])
            let resource = try await client.get("/v1/resource/box/b1")
            #expect(resource.json?["size"] == 3.0)
            #expect(resource.json?["old"] == nil)

            let noFill = try await client.request(
                .patch, "/v1/resource_type/box",
                json: [["op": "add", "path": "/attributes/name", "value": ["type": "string"]]], headers: Self.patchHeaders)
            #expect(noFill.status == .badRequest)
            #expect(noFill.json?["description"]
                == "Invalid input: Option 'fill' of resource attribute name is invalid: must not be empty if required=True")
            let typeChange = try await client.request(
                .patch, "/v1/resource_type/box",
                json: [["op": "add", "path": "/attributes/size", "value": ["type": "string", "options": ["fill": "x"]]]],
                headers: Self.patchHeaders)
            #expect(typeChange.json?["description"]
                == "Type update is not available yet. Changing number to string for attribute size of resource box")
            let notAttributes = try await client.request(
                .patch, "/v1/resource_type/box", json: [["op": "add", "path": "/name", "value": [:]]], headers: Self.patchHeaders)
            #expect(notAttributes.json?["description"]?["reason"]
                == "not a valid value for dictionary value @ data[0]['path']")
            let removeMissing = try await client.request(
                .patch, "/v1/resource_type/box", json: [["op": "remove", "path": "/attributes/nope"]], headers: Self.patchHeaders)
            #expect(removeMissing.json?["description"] == "can't remove a non-existent object 'nope'")
        }
    }

    @Test func typeInUseCannotBeDeleted() async throws {
        try await withAPI { client, _ in
            _ = try await client.post("/v1/resource_type", ["name": "box"])
            _ = try await client.post("/v1/resource/box", ["id": "b1"])
            let inUse = try await client.delete("/v1/resource_type/box")
            #expect(inUse.status == .badRequest)
            #expect(inUse.json?["description"] == "Resource type box is still in use")
            let generic = try await client.delete("/v1/resource_type/generic")
            #expect(generic.json?["description"] == "Resource type generic is still in use")
            #expect(try await client.delete("/v1/resource_type/box", user: "bob").status == .forbidden)
        }
    }
}

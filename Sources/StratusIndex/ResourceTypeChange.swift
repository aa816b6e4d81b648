import Foundation

/// The schema changes of `Indexer.updateResourceType`, shared by both backends: the new attribute list and the
/// ALTER TABLE / UPDATE statements for each of the type's two tables.
enum ResourceTypeChange {
    /// The type after the update.
    /// - Throws: `invalidResourceTypeUpdate` for an added attribute that exists, a removed or changed one that
    ///   does not, or a changed type.
    static func apply(_ update: ResourceTypeUpdate, to type: ResourceType) throws(IndexError) -> ResourceType {
        var byName = Dictionary(type.attributes.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for name in update.remove {
            guard byName.removeValue(forKey: name) != nil else {
                throw IndexError(.invalidResourceTypeUpdate, "Resource type \(type.name) has no \(name) attribute", detail: name)
            }
        }
        for (attribute, _) in update.add {
            guard byName[attribute.name] == nil else {
                throw IndexError(
                    .invalidResourceTypeUpdate, "Resource type \(type.name) already has a \(attribute.name) attribute",
                    detail: attribute.name)
            }
            byName[attribute.name] = attribute
        }
        for (attribute, _) in update.change {
            guard let current = byName[attribute.name] else {
                throw IndexError(
                    .invalidResourceTypeUpdate, "Resource type \(type.name) has no \(attribute.name) attribute",
                    detail: attribute.name)
            }
            guard current.kind.typeName == attribute.kind.typeName else {
                throw IndexError(
                    .invalidResourceTypeUpdate,
                    "Type update is not available yet. Changing \(current.kind.typeName) to \(attribute.kind.typeName) "
                        + "for attribute \(attribute.name) of resource \(type.name)",
                    detail: attribute.name)
            }
            byName[attribute.name] = attribute
        }
        let next = ResourceType(name: type.name, attributes: Array(byName.values), state: type.state)
        try next.validateColumnNames()
        return next
    }

    /// The statements applying the update to one table (`rt_x` or `rt_x_history`): drops, adds (filled), and
    /// fills of NULLs of changed attributes.
    static func statements(_ update: ResourceTypeUpdate, table: String, dialect: SearchSQLDialect) -> [ResourceStatement] {
        let quotedTable = ResourceLayout.quote(table)
        let isCurrent = !table.hasSuffix("_history")
        var statements: [ResourceStatement] = []
        for name in update.remove {
            if isCurrent {
                let index = ResourceLayout.quote(ResourceLayout.indexName(table: table, attribute: name))
                statements.append(ResourceStatement(dialect, "DROP INDEX IF EXISTS \(index)"))
            }
            statements.append(ResourceStatement(dialect, "ALTER TABLE \(quotedTable) DROP COLUMN \(ResourceLayout.quote(name))"))
        }
        for (attribute, fill) in update.add {
            let column = ResourceLayout.quote(attribute.name)
            statements.append(ResourceStatement(
                dialect, "ALTER TABLE \(quotedTable) ADD COLUMN \(column) \(ResourceLayout.columnType(attribute, dialect))"))
            if isCurrent {
                statements.append(ResourceStatement(dialect, ResourceLayout.createIndex(table: table, attribute: attribute.name)))
            }
            if fill != .null {
                var statement = ResourceStatement(dialect, "UPDATE \(quotedTable) SET \(column) = ")
                statement.append(statement.bind(ResourceLayout.argument(fill)))
                statements.append(statement)
            }
        }
        for (attribute, fill) in update.change where fill != .null {
            let column = ResourceLayout.quote(attribute.name)
            var statement = ResourceStatement(dialect, "UPDATE \(quotedTable) SET \(column) = ")
            statement.append(statement.bind(ResourceLayout.argument(fill)) + " WHERE \(column) IS NULL")
            statements.append(statement)
        }
        return statements
    }
}

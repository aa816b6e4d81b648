import Hummingbird

struct ArchivePolicyRoutes: APIRouteCollection {
    let environment: APIEnvironment

    func register(on group: RouterGroup<APIRequestContext>) {
    }
}

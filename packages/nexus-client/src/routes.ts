import { joinNexusUrl, NEXUS_ENDPOINTS, type NexusOperation } from "@spike-ts/nexus-model";

/** Where one operation is sent: undici's `origin` and `path` (with the query). @internal */
export interface Route {
  readonly origin: string;
  readonly path: string;
}

/**
 * The routes of every operation under the last base URL seen, so the warm path parses no URL.
 * A new base URL (a `baseUrl` function that changed its answer) starts a new table.
 * @internal
 */
export class RouteCache {
  #base: string | undefined = undefined;
  #routes = new Map<NexusOperation, Route>();

  /** The route of `operation` under `baseUrl` (already validated by the client). */
  get(baseUrl: string, operation: NexusOperation): Route {
    if (baseUrl !== this.#base) {
      this.#base = baseUrl;
      this.#routes = new Map();
    }
    let route = this.#routes.get(operation);
    if (route === undefined) {
      const ep = NEXUS_ENDPOINTS[operation];
      const url = new URL(joinNexusUrl(baseUrl, ep.path, ep.action));
      route = { origin: url.origin, path: url.pathname + url.search };
      this.#routes.set(operation, route);
    }
    return route;
  }
}

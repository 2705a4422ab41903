/** Where a credential is read from the request. */
export interface CredentialSource {
  in: "header" | "query";
  name: string;
}

/** One alternative of a `security` list: every scheme in it must pass (an AND). */
export interface Alternative {
  /** The client ID to check, when the alternative names an apiKey scheme for it. */
  clientId?: CredentialSource;
  /** The client secret to check against the application's, when the alternative names one. */
  secret?: CredentialSource;
  /** Schemes the edge cannot check, described for logs (`'oauth' (oauth2)`). */
  unenforced: readonly string[];
}

/**
 * An operation's security requirements, compiled: the request passes when any alternative passes
 * (an OR). Alternatives that hold an unenforced scheme are tried last.
 */
export interface SecurityPlan {
  alternatives: readonly Alternative[];
  /** Credential headers of every apiKey scheme in the plan: removed from the message before the assembly. */
  credentialHeaders: readonly string[];
  /** Credential query parameters likewise: removed from `request.search`, `request.querystring`, `request.uri`. */
  credentialParams: readonly string[];
  /** True when some alternative only checks apiKey schemes. */
  hasApiKeys: boolean;
}

/** An API's compiled security: a plan per operation (or for the whole API when it declares no paths). */
export interface ApiSecurity {
  /** The plan for a matched operation, or for every request when `operation` is undefined; undefined when open. */
  planFor(operation: object | undefined): SecurityPlan | undefined;
  /** Descriptions of the schemes this API cannot enforce (empty when none). */
  readonly unenforced: readonly string[];
}

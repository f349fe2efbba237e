/** The stack the hub starts with when no `stackFile` is configured. */
export const DEFAULT_STACK_YAML = `name: qdrant_service
services:
  qdrant:
    runtime: embedded        # Phoenix's own vector engine
    replicas: 1
    labels:
      phoenix.router.host: qdrant     # the router routes Host \`qdrant\` here
      phoenix.router.default: "true"  # and everything that matches no other host
    healthcheck:
      path: /readyz
      interval: 2s
      timeout: 1s
`;

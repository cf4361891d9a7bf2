package io.mesh4j;

/** What happens to requests for hosts the control plane does not know, as Istio's {@code outboundTrafficPolicy}. */
public enum OutboundTrafficPolicy {
  /** Requests to hosts outside the mesh go out untouched. */
  ALLOW_ANY,
  /** Requests to hosts outside the mesh fail with {@link MeshRoutingException.Reason#NOT_IN_MESH}. */
  REGISTRY_ONLY
}

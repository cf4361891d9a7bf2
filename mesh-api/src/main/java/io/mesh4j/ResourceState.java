package io.mesh4j;

/** The client-side status of a subscribed resource, as CSDS names them. */
public enum ResourceState {
  /** Asked for; nothing received yet. */
  REQUESTED,
  /** The control plane said (or the initial fetch timeout implied) that it does not exist. */
  DOES_NOT_EXIST,
  /** The last update was accepted. */
  ACKED,
  /** The last update was rejected; the previous accepted version, if any, keeps serving. */
  NACKED
}

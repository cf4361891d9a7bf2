package io.mesh4j;

/** The client-side status of a subscribed resource, as CSDS names them (and {@link #CACHED}, mesh4j's own). */
public enum ResourceState {
  /** Asked for; nothing received yet. */
  REQUESTED,
  /** The control plane said (or the initial fetch timeout implied) that it does not exist. */
  DOES_NOT_EXIST,
  /** The last update was accepted. */
  ACKED,
  /** The last update was rejected; the previous accepted version, if any, keeps serving. */
  NACKED,
  /**
   * Served from the persisted config cache because no control plane has answered since the process started; the
   * first answer replaces it. {@code lastUpdated} is when a control plane last sent it (its age).
   */
  CACHED
}

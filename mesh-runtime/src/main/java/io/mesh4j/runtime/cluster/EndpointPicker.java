package io.mesh4j.runtime.cluster;

import io.mesh4j.runtime.model.LbEndpoint;

/** Chooses the endpoint for one attempt. Implementations are immutable apart from atomic counters. */
public interface EndpointPicker {

  /** The endpoint for the next attempt, or {@code null} when none can take traffic. */
  LbEndpoint pick();
}

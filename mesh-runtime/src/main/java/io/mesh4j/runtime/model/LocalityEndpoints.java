package io.mesh4j.runtime.model;

import java.util.List;
import java.util.Objects;

/**
 * The endpoints of one locality at one priority.
 *
 * @param locality region/zone/sub_zone joined with {@code /}, empty when unset
 * @param weight {@code load_balancing_weight} of the locality, 0 when unset
 * @param priority 0 is the highest
 */
public record LocalityEndpoints(String locality, int weight, int priority, List<LbEndpoint> endpoints) {
  public LocalityEndpoints {
    Objects.requireNonNull(locality, "locality");
    endpoints = List.copyOf(endpoints);
  }
}

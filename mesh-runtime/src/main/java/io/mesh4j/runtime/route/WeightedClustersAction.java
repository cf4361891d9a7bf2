package io.mesh4j.runtime.route;

import io.mesh4j.runtime.filter.FilterOverrides;
import io.mesh4j.runtime.view.RequestView;
import java.util.List;
import java.util.Objects;

/**
 * Split among clusters by weight, as Envoy does: {@code random % totalWeight} (the draw read as unsigned 64-bit)
 * falls in one cluster's slice of the precomputed cumulative weights. Clusters of weight 0 are never chosen. With
 * {@code header_name}, the draw is the request header's value when it is an unsigned 64-bit number (so a caller that
 * sends one per user keeps each user on one version of a canary), else the request's own draw.
 */
public final class WeightedClustersAction implements RouteAction {
  /** Envoy keeps the total in a uint32. */
  public static final long MAX_TOTAL_WEIGHT = 0xFFFF_FFFFL;

  /** One cluster, its weight and its {@code typed_per_filter_config}. */
  public record ClusterWeight(String name, long weight, FilterOverrides filterOverrides) {
    public ClusterWeight(String name, long weight) {
      this(name, weight, FilterOverrides.NONE);
    }

    public ClusterWeight {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(filterOverrides, "filterOverrides");
      if (name.isEmpty()) {
        throw new IllegalArgumentException("cluster name is empty");
      }
      if (weight < 0 || weight > MAX_TOTAL_WEIGHT) {
        throw new IllegalArgumentException("weight " + weight + " outside [0, " + MAX_TOTAL_WEIGHT + "]");
      }
    }
  }

  private final List<ClusterWeight> clusters;
  private final String[] names;
  private final ClusterWeight[] weights;
  private final long[] cumulative;
  private final long totalWeight;
  private final String randomValueHeader;

  private WeightedClustersAction(List<ClusterWeight> clusters, String randomValueHeader) {
    this.randomValueHeader = randomValueHeader;
    this.clusters = List.copyOf(clusters);
    if (this.clusters.isEmpty()) {
      throw new IllegalArgumentException("no clusters");
    }
    names = new String[this.clusters.size()];
    weights = this.clusters.toArray(new ClusterWeight[0]);
    cumulative = new long[this.clusters.size()];
    long sum = 0;
    for (int i = 0; i < names.length; i++) {
      ClusterWeight c = this.clusters.get(i);
      sum += c.weight();
      names[i] = c.name();
      cumulative[i] = sum;
    }
    if (sum == 0 || sum > MAX_TOTAL_WEIGHT) {
      throw new IllegalArgumentException("total weight " + sum + " outside [1, " + MAX_TOTAL_WEIGHT + "]");
    }
    totalWeight = sum;
  }

  /**
   * @throws IllegalArgumentException if the list is empty or the total weight is 0 or above {@link #MAX_TOTAL_WEIGHT}
   */
  public static WeightedClustersAction of(List<ClusterWeight> clusters) {
    return new WeightedClustersAction(clusters, null);
  }

  /**
   * @param randomValueHeader {@code header_name}, lower case: the request header whose unsigned 64-bit value is the
   *     draw, or null
   */
  public static WeightedClustersAction of(List<ClusterWeight> clusters, String randomValueHeader) {
    return new WeightedClustersAction(clusters, randomValueHeader);
  }

  /** The draw that picks the cluster: the {@code header_name} header's number when there is one, else {@code random}. */
  public long draw(long random, RequestView request) {
    if (randomValueHeader == null) {
      return random;
    }
    String value = request.header(randomValueHeader);
    if (value == null || value.isEmpty() || value.indexOf(',') >= 0) {
      return random;
    }
    try {
      return Long.parseUnsignedLong(value.trim());
    } catch (NumberFormatException e) {
      return random;
    }
  }

  @Override
  public String selectCluster(long random, RequestView request) {
    return selectCluster(draw(random, request));
  }

  public List<ClusterWeight> clusters() {
    return clusters;
  }

  public long totalWeight() {
    return totalWeight;
  }

  @Override
  public String selectCluster(long random) {
    return names[index(random)];
  }

  /** The cluster entry {@link #selectCluster(long)} picks for the same draw (for its per-filter overrides). */
  public ClusterWeight select(long random) {
    return weights[index(random)];
  }

  private int index(long random) {
    long draw = Long.remainderUnsigned(random, totalWeight);
    for (int i = 0; i < cumulative.length; i++) {
      if (draw < cumulative[i]) {
        return i;
      }
    }
    throw new AssertionError("draw " + draw + " beyond total " + totalWeight);
  }

  @Override
  public String toString() {
    return "WeightedClusters" + clusters;
  }
}

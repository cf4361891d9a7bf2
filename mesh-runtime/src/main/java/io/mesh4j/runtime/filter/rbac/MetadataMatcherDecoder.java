package io.mesh4j.runtime.filter.rbac;

import static io.mesh4j.runtime.xds.FieldPath.invalid;
import static io.mesh4j.runtime.xds.FieldPath.of;

import io.envoyproxy.envoy.type.matcher.v3.DoubleMatcher;
import io.envoyproxy.envoy.type.matcher.v3.ListMatcher;
import io.envoyproxy.envoy.type.matcher.v3.MetadataMatcher;
import io.envoyproxy.envoy.type.matcher.v3.OrMatcher;
import io.envoyproxy.envoy.type.matcher.v3.ValueMatcher;
import io.envoyproxy.envoy.type.v3.DoubleRange;
import io.mesh4j.runtime.matcher.MatcherDecoder;
import io.mesh4j.runtime.xds.DecodeContext;
import io.mesh4j.runtime.xds.FieldAllowList;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Decodes {@code envoy.type.matcher.v3.MetadataMatcher} and its {@code ValueMatcher}s, with Envoy's validation. */
final class MetadataMatcherDecoder {
  private static final FieldAllowList METADATA_MATCHER =
      FieldAllowList.of(Set.of("filter", "path", "value", "invert"), Map.of());
  private static final FieldAllowList PATH_SEGMENT = FieldAllowList.of(Set.of("key"), Map.of());
  private static final FieldAllowList VALUE_MATCHER =
      FieldAllowList.of(
          Set.of(
              "null_match", "double_match", "string_match", "bool_match", "present_match", "list_match", "or_match"),
          Map.of());
  private static final FieldAllowList DOUBLE_MATCHER = FieldAllowList.of(Set.of("range", "exact"), Map.of());
  private static final FieldAllowList DOUBLE_RANGE = FieldAllowList.of(Set.of("start", "end"), Map.of());
  private static final FieldAllowList LIST_MATCHER = FieldAllowList.of(Set.of("one_of"), Map.of());
  private static final FieldAllowList OR_MATCHER = FieldAllowList.of(Set.of("value_matchers"), Map.of());

  private MetadataMatcherDecoder() {}

  static DynamicMetadataMatcher decode(MetadataMatcher proto, String path, DecodeContext context)
      throws ResourceInvalidException {
    METADATA_MATCHER.check(proto, path, context);
    if (proto.getFilter().isEmpty()) {
      throw invalid(of(path, "filter"), "must not be empty");
    }
    if (proto.getPathCount() == 0) {
      throw invalid(of(path, "path"), "must have at least one segment");
    }
    String[] keys = new String[proto.getPathCount()];
    for (int i = 0; i < keys.length; i++) {
      String segmentPath = of(path, "path", i);
      PATH_SEGMENT.check(proto.getPath(i), segmentPath, context);
      if (proto.getPath(i).getKey().isEmpty()) {
        throw invalid(of(segmentPath, "key"), "must not be empty");
      }
      keys[i] = proto.getPath(i).getKey();
    }
    if (!proto.hasValue()) {
      throw invalid(of(path, "value"), "is required");
    }
    return new DynamicMetadataMatcher(
        proto.getFilter(), keys, value(proto.getValue(), of(path, "value"), context), proto.getInvert());
  }

  static MetadataValueMatcher value(ValueMatcher proto, String path, DecodeContext context)
      throws ResourceInvalidException {
    VALUE_MATCHER.check(proto, path, context);
    switch (proto.getMatchPatternCase()) {
      case NULL_MATCH:
        return MetadataValueMatcher.nullValue();
      case DOUBLE_MATCH:
        return doubleMatcher(proto.getDoubleMatch(), of(path, "double_match"), context);
      case STRING_MATCH:
        return MetadataValueMatcher.string(
            MatcherDecoder.decodeStringMatcher(proto.getStringMatch(), of(path, "string_match"), context));
      case BOOL_MATCH:
        return MetadataValueMatcher.bool(proto.getBoolMatch());
      case PRESENT_MATCH:
        return MetadataValueMatcher.present(proto.getPresentMatch());
      case LIST_MATCH:
        return listMatcher(proto.getListMatch(), of(path, "list_match"), context);
      case OR_MATCH:
        return orMatcher(proto.getOrMatch(), of(path, "or_match"), context);
      default:
        throw invalid(
            path, "one of null_match, double_match, string_match, bool_match, present_match, list_match, or_match "
                + "is required");
    }
  }

  private static MetadataValueMatcher doubleMatcher(DoubleMatcher proto, String path, DecodeContext context)
      throws ResourceInvalidException {
    DOUBLE_MATCHER.check(proto, path, context);
    switch (proto.getMatchPatternCase()) {
      case RANGE:
        DoubleRange range = proto.getRange();
        DOUBLE_RANGE.check(range, of(path, "range"), context);
        return MetadataValueMatcher.doubleRange(range.getStart(), range.getEnd());
      case EXACT:
        return MetadataValueMatcher.doubleExact(proto.getExact());
      default:
        throw invalid(path, "one of range, exact is required");
    }
  }

  private static MetadataValueMatcher listMatcher(ListMatcher proto, String path, DecodeContext context)
      throws ResourceInvalidException {
    LIST_MATCHER.check(proto, path, context);
    if (!proto.hasOneOf()) {
      throw invalid(path, "one_of is required");
    }
    return MetadataValueMatcher.listOneOf(value(proto.getOneOf(), of(path, "one_of"), context));
  }

  private static MetadataValueMatcher orMatcher(OrMatcher proto, String path, DecodeContext context)
      throws ResourceInvalidException {
    OR_MATCHER.check(proto, path, context);
    if (proto.getValueMatchersCount() < 2) {
      throw invalid(of(path, "value_matchers"), "must have at least 2 matchers");
    }
    List<MetadataValueMatcher> matchers = new ArrayList<>();
    for (int i = 0; i < proto.getValueMatchersCount(); i++) {
      matchers.add(value(proto.getValueMatchers(i), of(path, "value_matchers", i), context));
    }
    return MetadataValueMatcher.or(matchers);
  }
}

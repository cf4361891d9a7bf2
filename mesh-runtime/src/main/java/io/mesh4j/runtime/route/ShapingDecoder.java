package io.mesh4j.runtime.route;

import static io.mesh4j.runtime.xds.FieldPath.of;

import com.google.re2j.Pattern;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatchAndSubstitute;
import io.mesh4j.runtime.matcher.MatcherDecoder;
import io.mesh4j.runtime.xds.DecodeContext;
import io.mesh4j.runtime.xds.FieldAllowList;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Decodes the request-shaping parts of RDS: header mutations, rewrites, redirects and direct responses. */
final class ShapingDecoder {
  /** Envoy's default {@code max_direct_response_body_size_bytes}. */
  static final long DEFAULT_MAX_DIRECT_RESPONSE_BODY = 4096;

  private static final FieldAllowList HEADER_VALUE_OPTION =
      FieldAllowList.of(Set.of("header", "append", "append_action", "keep_empty_value"), Map.of());
  private static final FieldAllowList HEADER_VALUE = FieldAllowList.of(Set.of("key", "value", "raw_value"), Map.of());
  private static final FieldAllowList REGEX_SUBSTITUTE = FieldAllowList.of(Set.of("pattern", "substitution"), Map.of());
  private static final FieldAllowList REDIRECT =
      FieldAllowList.of(
          Set.of("https_redirect", "scheme_redirect", "host_redirect", "port_redirect", "path_redirect",
              "prefix_rewrite", "regex_rewrite", "response_code", "strip_query"),
          Map.of());
  private static final FieldAllowList DIRECT_RESPONSE = FieldAllowList.of(Set.of("status", "body"), Map.of());
  private static final FieldAllowList DATA_SOURCE = FieldAllowList.of(Set.of("inline_string", "inline_bytes"), Map.of());

  private ShapingDecoder() {}

  /** One level's {@code *_headers_to_add} and {@code *_headers_to_remove}. */
  @SuppressWarnings("deprecation") // HeaderValueOption.append: still sent by older control planes
  static HeaderMutations.Level headers(
      List<HeaderValueOption> add, List<String> remove, String parent, String kind, DecodeContext context)
      throws ResourceInvalidException {
    if (add.isEmpty() && remove.isEmpty()) {
      return HeaderMutations.Level.EMPTY;
    }
    List<String> removals = new ArrayList<>(remove.size());
    for (int i = 0; i < remove.size(); i++) {
      String name = remove.get(i).toLowerCase(Locale.ROOT);
      checkModifiable(name, of(parent, kind + "_headers_to_remove", i));
      removals.add(name);
    }
    List<HeaderMutations.Addition> additions = new ArrayList<>(add.size());
    for (int i = 0; i < add.size(); i++) {
      String path = of(parent, kind + "_headers_to_add", i);
      HeaderValueOption option = add.get(i);
      HEADER_VALUE_OPTION.check(option, path, context);
      if (!option.hasHeader()) {
        throw new ResourceInvalidException(of(path, "header") + ": is required");
      }
      HeaderValue header = option.getHeader();
      String headerPath = of(path, "header");
      HEADER_VALUE.check(header, headerPath, context);
      String name = header.getKey().toLowerCase(Locale.ROOT);
      if (name.isEmpty()) {
        throw new ResourceInvalidException(of(headerPath, "key") + ": must not be empty");
      }
      checkModifiable(name, of(headerPath, "key"));
      checkHeaderSize(header.getKey().length(), of(headerPath, "key"));
      checkHeaderSize(header.getValue().length(), of(headerPath, "value"));
      checkHeaderSize(header.getRawValue().size(), of(headerPath, "raw_value"));
      if (!header.getValue().isEmpty() && !header.getRawValue().isEmpty()) {
        throw new ResourceInvalidException(headerPath + ": only one of value and raw_value may be set");
      }
      String value = header.getRawValue().isEmpty()
          ? header.getValue()
          : header.getRawValue().toString(StandardCharsets.UTF_8);
      value = literal(value, of(headerPath, header.getRawValue().isEmpty() ? "value" : "raw_value"));
      HeaderMutations.AppendAction action;
      if (option.hasAppend()) {
        if (option.getAppendActionValue() != 0) {
          throw new ResourceInvalidException(path + ": append and append_action are both set");
        }
        action = option.getAppend().getValue()
            ? HeaderMutations.AppendAction.APPEND_IF_EXISTS_OR_ADD
            : HeaderMutations.AppendAction.OVERWRITE_IF_EXISTS_OR_ADD;
      } else {
        switch (option.getAppendAction()) {
          case APPEND_IF_EXISTS_OR_ADD:
            action = HeaderMutations.AppendAction.APPEND_IF_EXISTS_OR_ADD;
            break;
          case ADD_IF_ABSENT:
            action = HeaderMutations.AppendAction.ADD_IF_ABSENT;
            break;
          case OVERWRITE_IF_EXISTS_OR_ADD:
            action = HeaderMutations.AppendAction.OVERWRITE_IF_EXISTS_OR_ADD;
            break;
          case OVERWRITE_IF_EXISTS:
            action = HeaderMutations.AppendAction.OVERWRITE_IF_EXISTS;
            break;
          default:
            throw new ResourceInvalidException(
                of(path, "append_action") + ": unknown value " + option.getAppendActionValue());
        }
      }
      additions.add(new HeaderMutations.Addition(name, value, action, option.getKeepEmptyValue()));
    }
    return new HeaderMutations.Level(removals, additions);
  }

  /** As Envoy: pseudo-headers and Host cannot be added or removed by header mutations. */
  private static void checkModifiable(String name, String path) throws ResourceInvalidException {
    if (name.startsWith(":") || name.equals("host")) {
      throw new ResourceInvalidException(path + ": '" + name + "' may not be modified");
    }
  }

  /**
   * Header values are Envoy substitution formats; mesh4j supports none of the {@code %COMMAND%} operators, so a value
   * with one is rejected rather than sent literally. {@code %%} is a literal {@code %}.
   */
  /**
   * Envoy's {@code HeaderValue} constraint ({@code max_bytes: 16384} on key and value): a header the mesh adds to every
   * request stays within what any server accepts. Characters are counted, so a UTF-8 value is bounded a few times over.
   */
  static final int MAX_HEADER_BYTES = 16384;

  private static void checkHeaderSize(int size, String path) throws ResourceInvalidException {
    if (size > MAX_HEADER_BYTES) {
      throw new ResourceInvalidException(path + ": " + size + " exceeds the " + MAX_HEADER_BYTES + " bytes allowed");
    }
  }

  private static String literal(String value, String path) throws ResourceInvalidException {
    if (value.indexOf('%') < 0) {
      return value;
    }
    StringBuilder out = new StringBuilder(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '%') {
        if (i + 1 < value.length() && value.charAt(i + 1) == '%') {
          out.append('%');
          i++;
          continue;
        }
        throw new ResourceInvalidException(
            path + ": header value formatters (%...%) are not supported: '" + value + "'");
      }
      out.append(c);
    }
    return out.toString();
  }

  static PathRewrite regexRewrite(RegexMatchAndSubstitute proto, String path, DecodeContext context)
      throws ResourceInvalidException {
    REGEX_SUBSTITUTE.check(proto, path, context);
    if (!proto.hasPattern()) {
      throw new ResourceInvalidException(of(path, "pattern") + ": is required");
    }
    Pattern pattern = MatcherDecoder.compile(proto.getPattern(), of(path, "pattern"), context);
    String substitution = proto.getSubstitution();
    try {
      PathRewrite rewrite = PathRewrite.regex(pattern, substitution);
      for (int i = 0; i < substitution.length() - 1; i++) {
        if (substitution.charAt(i) == '\\' && Character.isDigit(substitution.charAt(i + 1))) {
          int group = substitution.charAt(i + 1) - '0';
          if (group > pattern.groupCount()) {
            throw new IllegalArgumentException("\\" + group + " but the pattern has " + pattern.groupCount()
                + " groups");
          }
          i++;
        } else if (substitution.charAt(i) == '\\') {
          i++;
        }
      }
      return rewrite;
    } catch (IllegalArgumentException e) {
      throw new ResourceInvalidException(of(path, "substitution") + ": invalid substitution '" + substitution + "': "
          + e.getMessage());
    }
  }

  /** How much of the path a route's match covers, for {@code prefix_rewrite}: -1 for the whole path. */
  static int matchedPrefixLength(RouteMatch match) {
    switch (match.getPathSpecifierCase()) {
      case PREFIX:
        return match.getPrefix().length();
      case PATH_SEPARATED_PREFIX:
        return match.getPathSeparatedPrefix().length();
      default:
        return -1;
    }
  }

  static RedirectAction redirect(
      io.envoyproxy.envoy.config.route.v3.RedirectAction proto, RouteMatch match, String path, DecodeContext context)
      throws ResourceInvalidException {
    REDIRECT.check(proto, path, context);
    String scheme = null;
    if (proto.getHttpsRedirect()) {
      scheme = "https";
    } else if (!proto.getSchemeRedirect().isEmpty()) {
      scheme = proto.getSchemeRedirect().toLowerCase(Locale.ROOT);
    }
    String host = proto.getHostRedirect().isEmpty() ? null : proto.getHostRedirect();
    int port = proto.getPortRedirect();
    if (port < 0 || port > 65535) {
      throw new ResourceInvalidException(of(path, "port_redirect") + ": " + Integer.toUnsignedString(port)
          + " is not a port");
    }
    String pathRedirect = null;
    PathRewrite rewrite = null;
    switch (proto.getPathRewriteSpecifierCase()) {
      case PATH_REDIRECT:
        pathRedirect = proto.getPathRedirect();
        if (!pathRedirect.startsWith("/")) {
          throw new ResourceInvalidException(of(path, "path_redirect") + ": must start with '/'");
        }
        break;
      case PREFIX_REWRITE:
        rewrite = PathRewrite.prefix(proto.getPrefixRewrite(), matchedPrefixLength(match));
        break;
      case REGEX_REWRITE:
        rewrite = regexRewrite(proto.getRegexRewrite(), of(path, "regex_rewrite"), context);
        break;
      default:
        break;
    }
    int status;
    switch (proto.getResponseCode()) {
      case MOVED_PERMANENTLY:
        status = 301;
        break;
      case FOUND:
        status = 302;
        break;
      case SEE_OTHER:
        status = 303;
        break;
      case TEMPORARY_REDIRECT:
        status = 307;
        break;
      case PERMANENT_REDIRECT:
        status = 308;
        break;
      default:
        throw new ResourceInvalidException(
            of(path, "response_code") + ": unknown value " + proto.getResponseCodeValue());
    }
    return new RedirectAction(scheme, host, port, pathRedirect, rewrite, status, proto.getStripQuery());
  }

  static DirectResponseAction directResponse(
      io.envoyproxy.envoy.config.route.v3.DirectResponseAction proto, long maxBody, String path, DecodeContext context)
      throws ResourceInvalidException {
    DIRECT_RESPONSE.check(proto, path, context);
    int status = proto.getStatus();
    if (status < 200 || status >= 600) {
      throw new ResourceInvalidException(
          of(path, "status") + ": " + Integer.toUnsignedString(status) + " is not in [200, 600)");
    }
    byte[] body = new byte[0];
    if (proto.hasBody()) {
      DataSource source = proto.getBody();
      String bodyPath = of(path, "body");
      DATA_SOURCE.check(source, bodyPath, context);
      switch (source.getSpecifierCase()) {
        case INLINE_STRING:
          body = source.getInlineString().getBytes(StandardCharsets.UTF_8);
          break;
        case INLINE_BYTES:
          body = source.getInlineBytes().toByteArray();
          break;
        default:
          throw new ResourceInvalidException(bodyPath + ": one of inline_string, inline_bytes is required");
      }
      if (body.length > maxBody) {
        throw new ResourceInvalidException(bodyPath + ": " + body.length
            + " bytes exceed max_direct_response_body_size_bytes " + maxBody);
      }
    }
    return new DirectResponseAction(status, body);
  }
}

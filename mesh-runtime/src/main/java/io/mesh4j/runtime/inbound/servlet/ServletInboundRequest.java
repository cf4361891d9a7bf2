package io.mesh4j.runtime.inbound.servlet;

import io.mesh4j.MeshJwt;
import io.mesh4j.runtime.inbound.DownstreamConnection;
import io.mesh4j.runtime.inbound.DynamicMetadata;
import io.mesh4j.runtime.inbound.InboundRequest;
import io.mesh4j.runtime.inbound.PseudoHeaders;
import io.mesh4j.runtime.view.HeaderEditor;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A servlet request as the chain's HTTP filters see it. Servlet request headers cannot be changed, so the filters'
 * edits are kept here and the application gets a wrapper that shows them ({@link #forApplication}), made only when a
 * filter edited something.
 */
public final class ServletInboundRequest implements InboundRequest, HeaderEditor {
  private final HttpServletRequest request;
  private final DownstreamConnection connection;
  private String path;
  private DynamicMetadata dynamicMetadata;
  /** Edited headers by lower-case name; an empty list is a removed header. */
  private Map<String, List<String>> edits;

  public ServletInboundRequest(HttpServletRequest request, DownstreamConnection connection) {
    this.request = request;
    this.connection = connection;
  }

  /** The request the application should get: the original, or a view with the filters' header edits. */
  public HttpServletRequest forApplication() {
    return edits == null ? request : new EditedRequest(request, edits);
  }

  @Override
  public String method() {
    return request.getMethod();
  }

  @Override
  public String authority() {
    return header("host");
  }

  @Override
  public String path() {
    if (path == null) {
      String query = request.getQueryString();
      path = query == null ? request.getRequestURI() : request.getRequestURI() + "?" + query;
    }
    return path;
  }

  @Override
  public String header(String lowerCaseName) {
    if (PseudoHeaders.isPseudo(lowerCaseName)) {
      return PseudoHeaders.value(this, lowerCaseName, request.getScheme());
    }
    if (edits != null) {
      List<String> edited = edits.get(lowerCaseName);
      if (edited != null) {
        return edited.isEmpty() ? null : String.join(",", edited);
      }
    }
    Enumeration<String> values = request.getHeaders(lowerCaseName);
    if (values == null || !values.hasMoreElements()) {
      return null;
    }
    String first = values.nextElement();
    if (!values.hasMoreElements()) {
      return first;
    }
    StringBuilder joined = new StringBuilder(first);
    while (values.hasMoreElements()) {
      joined.append(',').append(values.nextElement());
    }
    return joined.toString();
  }

  @Override
  public DownstreamConnection connection() {
    return connection;
  }

  @Override
  public DynamicMetadata dynamicMetadata() {
    if (dynamicMetadata == null) {
      dynamicMetadata = new DynamicMetadata();
    }
    return dynamicMetadata;
  }

  /** The verified token a jwt_authn filter left for the application, or null (allocates nothing when none). */
  public MeshJwt verifiedJwt() {
    return dynamicMetadata == null ? null : dynamicMetadata.verifiedJwt();
  }

  @Override
  public HeaderEditor headers() {
    return this;
  }

  @Override
  public boolean has(String name) {
    return header(name.toLowerCase(Locale.ROOT)) != null;
  }

  @Override
  public void add(String name, String value) {
    values(name).add(value);
  }

  @Override
  public void set(String name, String value) {
    List<String> values = values(name);
    values.clear();
    values.add(value);
  }

  @Override
  public void remove(String name) {
    values(name).clear();
  }

  /** The edited values of a header, starting from what the request has. */
  private List<String> values(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    if (edits == null) {
      edits = new HashMap<>(4);
    }
    return edits.computeIfAbsent(lower, n -> {
      List<String> values = new ArrayList<>(2);
      Enumeration<String> original = request.getHeaders(n);
      while (original != null && original.hasMoreElements()) {
        values.add(original.nextElement());
      }
      return values;
    });
  }

  /** The request with the filters' header edits. */
  private static final class EditedRequest extends HttpServletRequestWrapper {
    private final Map<String, List<String>> edits;

    EditedRequest(HttpServletRequest request, Map<String, List<String>> edits) {
      super(request);
      this.edits = edits;
    }

    @Override
    public String getHeader(String name) {
      List<String> edited = edits.get(name.toLowerCase(Locale.ROOT));
      if (edited == null) {
        return super.getHeader(name);
      }
      return edited.isEmpty() ? null : edited.get(0);
    }

    @Override
    public Enumeration<String> getHeaders(String name) {
      List<String> edited = edits.get(name.toLowerCase(Locale.ROOT));
      return edited == null ? super.getHeaders(name) : Collections.enumeration(edited);
    }

    @Override
    public Enumeration<String> getHeaderNames() {
      Set<String> names = new LinkedHashSet<>();
      Enumeration<String> original = super.getHeaderNames();
      while (original != null && original.hasMoreElements()) {
        String name = original.nextElement();
        List<String> edited = edits.get(name.toLowerCase(Locale.ROOT));
        if (edited == null || !edited.isEmpty()) {
          names.add(name.toLowerCase(Locale.ROOT));
        }
      }
      for (Map.Entry<String, List<String>> edit : edits.entrySet()) {
        if (!edit.getValue().isEmpty()) {
          names.add(edit.getKey());
        }
      }
      return Collections.enumeration(names);
    }

    @Override
    public int getIntHeader(String name) {
      String value = getHeader(name);
      return value == null ? -1 : Integer.parseInt(value);
    }
  }
}

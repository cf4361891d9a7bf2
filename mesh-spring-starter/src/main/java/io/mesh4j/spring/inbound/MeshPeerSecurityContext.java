package io.mesh4j.spring.inbound;

import io.mesh4j.MeshPeer;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.context.RequestAttributeSecurityContextRepository;

/**
 * Hands a request's mesh peer to Spring Security: a security context holding its {@link MeshPeerAuthentication}, in
 * the request attribute Spring Security's default repository ({@link RequestAttributeSecurityContextRepository},
 * first in the default delegating repository) loads the request's context from. A session-held login is not
 * overridden only when the application replaces that repository.
 */
final class MeshPeerSecurityContext implements MeshInboundFilter.PeerHandoff {

  @Override
  public void admitted(HttpServletRequest request, MeshPeer peer) {
    SecurityContext context = SecurityContextHolder.getContextHolderStrategy().createEmptyContext();
    context.setAuthentication(new MeshPeerAuthentication(peer));
    request.setAttribute(RequestAttributeSecurityContextRepository.DEFAULT_REQUEST_ATTR_NAME, context);
  }
}

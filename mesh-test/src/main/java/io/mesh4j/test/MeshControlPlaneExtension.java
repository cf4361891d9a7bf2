package io.mesh4j.test;

import io.mesh4j.samples.controlplane.LocalControlPlane;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The JUnit side of {@link MeshControlPlane}: resolves {@link LocalControlPlane} parameters to the control plane
 * serving the class's files. (The Spring side, setting {@code mesh.bootstrap-json}, is
 * {@link MeshControlPlaneContextCustomizerFactory}.)
 */
public class MeshControlPlaneExtension implements ParameterResolver {

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == LocalControlPlane.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    MeshControlPlane annotation = AnnotationSupport
        .findAnnotation(context.getRequiredTestClass(), MeshControlPlane.class)
        .orElseThrow(() -> new ExtensionConfigurationException("@MeshControlPlane missing on " + context.getRequiredTestClass()));
    return LocalControlPlanes.serve(annotation.config());
  }
}

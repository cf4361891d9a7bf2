package io.mesh4j.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Serves the Envoy v3 resources in {@link #config()} from a local xDS control plane (mesh4j's
 * {@code LocalControlPlane}) for this test class, and points the application's mesh at it: in a Spring test
 * ({@code @SpringBootTest}) {@code mesh.bootstrap-json} is set; a test method or constructor may take the
 * {@code LocalControlPlane} as a parameter (to read its bootstrap or reload it).
 *
 * <p>{@code ${name}} in the files is replaced by the system property {@code name} when the control plane starts (the
 * first time a test asks for it, after {@code @BeforeAll}), so endpoints can name ports chosen at run time. One
 * control plane serves every test class with the same files and values, for the life of the JVM, as Spring's
 * context cache keeps their contexts.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(MeshControlPlaneExtension.class)
public @interface MeshControlPlane {
  /** A directory of YAML/JSON resource files: {@code classpath:dir} or a path relative to the working directory. */
  String config();
}

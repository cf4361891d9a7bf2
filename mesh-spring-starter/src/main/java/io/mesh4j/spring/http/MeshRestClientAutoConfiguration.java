package io.mesh4j.spring.http;

import io.mesh4j.spring.MeshAutoConfiguration;
import io.mesh4j.spring.MeshClients;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.client.RestClient;

/**
 * Routes the application's {@code RestClient.Builder} and {@code RestTemplateBuilder} through the mesh: both get a
 * {@link MeshClientHttpRequestFactory} built with Boot's HTTP client settings ({@code spring.http.clients.*}, or a
 * {@code RestTemplateBuilder}'s own timeouts, redirects and SSL bundle).
 */
@AutoConfiguration(after = MeshAutoConfiguration.class)
@ConditionalOnClass({RestClient.class, HttpClientSettings.class})
@ConditionalOnBean(MeshClients.class)
public class MeshRestClientAutoConfiguration {

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(RestClientCustomizer.class)
  static class RestClientConfiguration {
    @Bean
    RestClientCustomizer meshRestClientCustomizer(MeshClients clients, ObjectProvider<HttpClientSettings> settings) {
      return builder -> builder.requestFactory(
          new MeshClientHttpRequestFactory(clients, settings.getIfAvailable(HttpClientSettings::defaults)));
    }

    /** The builder is immutable: what the application is given is this copy, with the mesh's request factory. */
    @Bean
    static BeanPostProcessor meshRestTemplateBuilderPostProcessor(ObjectProvider<MeshClients> clients) {
      return new BeanPostProcessor() {
        @Override
        public Object postProcessAfterInitialization(Object bean, String beanName) {
          if (bean instanceof RestTemplateBuilder builder) {
            return builder.requestFactoryBuilder(new MeshClientHttpRequestFactoryBuilder(clients.getObject()));
          }
          return bean;
        }
      };
    }
  }
}

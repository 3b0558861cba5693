package io.watchtower.client;

import static io.watchtower.client.Assert.assertContains;
import static io.watchtower.client.Assert.assertEquals;
import static io.watchtower.client.Assert.assertFalse;
import static io.watchtower.client.Assert.assertThrows;
import static io.watchtower.client.Assert.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;

/** HTTPS against the real server with a self-signed certificate made for the run. */
public final class HttpsTest {
    @Test
    public void trustCertificateConnects() throws Exception {
        WatchtowerServer server = Fixtures.https();
        assertTrue(server.url().startsWith("https://"), "an HTTPS server: " + server.url());
        WatchtowerClient client = WatchtowerClient.builder()
                .url(server.url())
                .password(WatchtowerServer.PASSWORD)
                .trustCertificate(server.certificate())
                .build();
        String name = Fixtures.uniqueName("tls");
        assertEquals(name, client.pulse(name, Duration.ofMinutes(5), AlertType.WEBHOOK, "ops").getName());
        assertEquals(name, client.addEvent(name, Level.INFO, "over TLS").getService());
        assertEquals(1, client.listEvents(EventQuery.builder().service(name).message("over tls").build()).getEvents().size());
        assertEquals(name, client.cancel(name).getName(), "DELETE with a body over HTTPS");
    }

    @Test
    public void untrustedCertificateFails() throws Exception {
        WatchtowerServer server = Fixtures.https();
        WatchtowerClient client = WatchtowerClient.builder().url(server.url()).password(WatchtowerServer.PASSWORD).build();
        WatchtowerException e = assertThrows(WatchtowerException.class, client::listServices);
        assertFalse(e instanceof ServerUnavailableException, "not a transient failure: " + e);
        assertEquals(0, e.getStatus());
        assertTrue(e.getCause() instanceof SSLHandshakeException, "caused by " + e.getCause());
        assertContains(e.getMessage(), "trustCertificate");
    }

    @Test
    public void anotherCertificateIsNotTrusted() throws Exception {
        WatchtowerServer server = Fixtures.https();
        WatchtowerClient client = WatchtowerClient.builder()
                .url(server.url())
                .password(WatchtowerServer.PASSWORD)
                .trustCertificate(WatchtowerServer.otherCertificate(server.dir()))
                .build();
        WatchtowerException e = assertThrows(WatchtowerException.class, client::listServices);
        assertTrue(e.getCause() instanceof SSLHandshakeException, "caused by " + e.getCause());
    }

    @Test
    public void sslSocketFactoryConnects() throws Exception {
        WatchtowerServer server = Fixtures.https();
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream in = Files.newInputStream(server.certificate())) {
            Certificate certificate = CertificateFactory.getInstance("X.509").generateCertificate(in);
            store.setCertificateEntry("watchtower", certificate);
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        WatchtowerClient client = WatchtowerClient.builder()
                .url(server.url())
                .password(WatchtowerServer.PASSWORD)
                .sslSocketFactory(context.getSocketFactory())
                .build();
        client.listServices();
    }

    @Test
    public void wrongPasswordOverHttpsIsAuthenticationError() throws Exception {
        WatchtowerServer server = Fixtures.https();
        WatchtowerClient client = server.builder().password("wrong").build();
        assertThrows(AuthenticationException.class, client::listServices);
    }
}

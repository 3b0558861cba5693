package io.watchtower.client;

import static io.watchtower.client.Assert.assertEquals;
import static io.watchtower.client.Assert.assertFalse;
import static io.watchtower.client.Assert.assertThrows;
import static io.watchtower.client.Assert.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code GET /channels} against a real server configured with every form of channel (mail, two
 * webhooks, ntfy, a route) and two ping keys, each with secrets that must never reach the client.
 */
public final class ChannelsTest {
    /** Every secret in the server's configuration: none may appear in what the client parsed. */
    private static final List<String> SECRETS = Arrays.asList(
            "mail-secret-5f2c9e", "dev-hook-path-7a1b", "dev-header-secret-93d4", "ops-hook-token-c0ffee",
            "ntfy-token-secret-41ab", "cronpingkey-0123456789abcdef", "deploypingkey-fedcba9876543210",
            WatchtowerServer.PASSWORD);

    /** A server whose configuration has channels of every form, a route and two ping keys. */
    static WatchtowerServer start() throws Exception {
        Map<String, Object> mail = new LinkedHashMap<>();
        mail.put("host", "127.0.0.1");
        mail.put("port", 9);
        mail.put("security", "none");
        mail.put("username", "watchtower");
        mail.put("password", "mail-secret-5f2c9e");
        mail.put("from", "Watchtower <watchtower@watchtower.test>");

        Map<String, Object> dev = new LinkedHashMap<>();
        dev.put("url", "http://127.0.0.1:9/dev-hook-path-7a1b");
        dev.put("headers", Collections.singletonMap("Authorization", "Bearer dev-header-secret-93d4"));
        Map<String, Object> webhooks = new LinkedHashMap<>();
        webhooks.put("dev", dev);
        webhooks.put("ops", Collections.singletonMap("url", "http://127.0.0.1:9/hook?token=ops-hook-token-c0ffee"));

        Map<String, Object> ntfy = new LinkedHashMap<>();
        ntfy.put("url", "http://127.0.0.1:9");
        ntfy.put("token", "ntfy-token-secret-41ab");

        Map<String, Object> routes = new LinkedHashMap<>();
        routes.put("oncall", Arrays.asList(step("webhook", "dev"), step("webhook", "ops")));

        Map<String, Object> cron = new LinkedHashMap<>();
        cron.put("key", "cronpingkey-0123456789abcdef");
        cron.put("prefix", "cron-");
        cron.put("alertType", "route");
        cron.put("alertTarget", "oncall");
        Map<String, Object> deploy = new LinkedHashMap<>();
        deploy.put("key", "deploypingkey-fedcba9876543210");
        deploy.put("service", "deploy-job");
        deploy.put("services", Arrays.asList("deploy-job", "deploy-other"));
        Map<String, Object> pingKeys = new LinkedHashMap<>();
        pingKeys.put("cron", cron);
        pingKeys.put("deploy", deploy);

        Map<String, Object> config = new LinkedHashMap<>();
        config.put("mail", mail);
        config.put("webhooks", webhooks);
        config.put("channels", Collections.singletonMap("ntfy", ntfy));
        config.put("routes", routes);
        config.put("pingKeys", pingKeys);
        return WatchtowerServer.startHttp(config);
    }

    private static Map<String, Object> step(String alertType, String alertTarget) {
        Map<String, Object> step = new LinkedHashMap<>();
        step.put("alertType", alertType);
        step.put("alertTarget", alertTarget);
        return step;
    }

    private final WatchtowerServer server;
    private final WatchtowerClient client;

    public ChannelsTest() throws Exception {
        server = Fixtures.shared("channels", WatchtowerServer.class, ChannelsTest::start);
        client = server.client();
    }

    /** Every string the client parsed, through the getters. */
    private static List<String> strings(Channels answer) {
        List<String> all = new ArrayList<>();
        for (Channel channel : answer.getChannels()) {
            all.add(channel.getAlertType());
            all.add(channel.getForm());
            all.addAll(channel.getTargets());
            channel.getPattern().ifPresent(all::add);
        }
        for (Route route : answer.getRoutes()) {
            all.add(route.getName());
            for (Route.Step step : route.getSteps()) {
                all.add(step.getAlertType());
                all.add(step.getAlertTarget());
            }
        }
        for (PingKey key : answer.getPingKeys()) {
            all.add(key.getName());
            key.getService().ifPresent(all::add);
            key.getPrefix().ifPresent(all::add);
            all.addAll(key.getServices());
            key.getAlertType().ifPresent(all::add);
            key.getAlertTarget().ifPresent(all::add);
        }
        return all;
    }

    @Test
    public void everyConfiguredChannelIsListedWithWhatItTakes() {
        Channels answer = client.channels();
        List<String> types = new ArrayList<>();
        for (Channel channel : answer.getChannels()) {
            types.add(channel.getAlertType());
        }
        assertEquals(Arrays.asList("mail", "webhook", "ntfy", "route"), types, "the configured channels, in the server's order");

        Channel mail = answer.getChannel("mail").get();
        assertEquals(Channel.EMAIL, mail.getForm());
        assertEquals(Collections.emptyList(), mail.getTargets());
        assertEquals(Optional.empty(), mail.getPattern());
        assertEquals(Optional.empty(), mail.getMaxChars());

        Channel webhook = answer.getChannel("webhook").get();
        assertEquals(Channel.NAMED, webhook.getForm());
        assertEquals(Arrays.asList("dev", "ops"), webhook.getTargets());
        assertEquals(Optional.empty(), webhook.getPattern());

        Channel ntfy = answer.getChannel("ntfy").get();
        assertEquals(Channel.PATTERN, ntfy.getForm());
        assertEquals(Collections.emptyList(), ntfy.getTargets());
        assertEquals(Optional.of("^[A-Za-z0-9_-]{1,64}$"), ntfy.getPattern());
        assertEquals(Optional.of(64), ntfy.getMaxChars());
        Pattern topic = Pattern.compile(ntfy.getPattern().get());
        assertTrue(topic.matcher("backup_alerts-1").matches(), "a topic matches the pattern");
        assertFalse(topic.matcher("two words").matches(), "a space does not");

        Channel route = answer.getChannel("route").get();
        assertEquals(Channel.NAMED, route.getForm());
        assertEquals(Arrays.asList("oncall"), route.getTargets());

        assertEquals(Optional.empty(), answer.getChannel("pushover"), "not configured");
        assertEquals(AlertType.WEBHOOK, AlertType.parse(webhook.getAlertType()));
    }

    @Test
    public void routesAndPingKeysAreListedByName() {
        Channels answer = client.channels();
        assertEquals(1, answer.getRoutes().size(), "routes: " + answer.getRoutes());
        Route oncall = answer.getRoutes().get(0);
        assertEquals("oncall", oncall.getName());
        assertEquals(2, oncall.getSteps().size());
        assertEquals("webhook", oncall.getSteps().get(0).getAlertType());
        assertEquals("dev", oncall.getSteps().get(0).getAlertTarget());
        assertEquals("webhook:ops", oncall.getSteps().get(1).toString());

        assertEquals(2, answer.getPingKeys().size(), "ping keys: " + answer.getPingKeys());
        PingKey cron = answer.getPingKeys().get(0);
        assertEquals("cron", cron.getName());
        assertEquals(Optional.empty(), cron.getService());
        assertEquals(Optional.of("cron-"), cron.getPrefix());
        assertEquals(Collections.emptyList(), cron.getServices());
        assertEquals(Optional.of("route"), cron.getAlertType());
        assertEquals(Optional.of("oncall"), cron.getAlertTarget());

        PingKey deploy = answer.getPingKeys().get(1);
        assertEquals("deploy", deploy.getName());
        assertEquals(Optional.of("deploy-job"), deploy.getService());
        assertEquals(Optional.empty(), deploy.getPrefix());
        assertEquals(Arrays.asList("deploy-job", "deploy-other"), deploy.getServices());
        assertEquals(Optional.empty(), deploy.getAlertType(), "a key without alerts of its own: null");
        assertEquals(Optional.empty(), deploy.getAlertTarget());
    }

    @Test
    public void noSecretReachesTheClient() {
        Channels answer = client.channels();
        List<String> parsed = strings(answer);
        assertTrue(parsed.size() > 20, "the answer was parsed: " + parsed);
        String shown = answer.toString();
        for (String secret : SECRETS) {
            assertFalse(shown.contains(secret), "a secret in " + shown);
            for (String value : parsed) {
                assertFalse(value.contains(secret), "a secret in " + value);
            }
        }
        for (String value : parsed) {
            assertFalse(value.contains("http://") || value.contains("127.0.0.1"), "no URL or host: " + value);
        }
    }

    @Test
    public void listsAreUnmodifiableAndAnswersCompareEqual() {
        Channels answer = client.channels();
        assertEquals(answer, client.channels(), "the same configuration, the same answer");
        assertEquals(answer.hashCode(), client.channels().hashCode());
        assertThrows(UnsupportedOperationException.class, () -> answer.getChannels().clear());
        assertThrows(UnsupportedOperationException.class, () -> answer.getRoutes().clear());
        assertThrows(UnsupportedOperationException.class, () -> answer.getPingKeys().clear());
        assertThrows(UnsupportedOperationException.class, () -> answer.getChannel("webhook").get().getTargets().clear());
        assertThrows(UnsupportedOperationException.class, () -> answer.getRoutes().get(0).getSteps().clear());
    }

    @Test
    public void aReadKeyMayListThemAndAnIngestKeyMayNot() {
        Channels expected = client.channels();
        CreatedKey reader = client.createKey(Fixtures.uniqueName("channels-reader"), "read", "team-", null);
        assertEquals(expected, server.builder().password(reader.getSecret()).build().channels(),
                "the same answer for a read key, even with a prefix");
        CreatedKey ingester = client.createKey(Fixtures.uniqueName("channels-ingester"), "ingest");
        ForbiddenException e = assertThrows(ForbiddenException.class,
                () -> server.builder().password(ingester.getSecret()).build().channels());
        assertEquals(403, e.getStatus());
    }
}

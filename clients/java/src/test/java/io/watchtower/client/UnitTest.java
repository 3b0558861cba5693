package io.watchtower.client;

import static io.watchtower.client.Assert.assertContains;
import static io.watchtower.client.Assert.assertEquals;
import static io.watchtower.client.Assert.assertFalse;
import static io.watchtower.client.Assert.assertNull;
import static io.watchtower.client.Assert.assertThrows;
import static io.watchtower.client.Assert.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/** The pieces that need no server: values, query strings, Link headers, builders. */
public final class UnitTest {
    @Test
    public void levelsParseLikeTheServer() {
        assertEquals(Level.WARNING, Level.parse("warn"));
        assertEquals(Level.WARNING, Level.parse("WARNING"));
        assertEquals(Level.CRITICAL, Level.parse("Critical"));
        assertEquals("debug", Level.DEBUG.wireName());
        assertThrows(IllegalArgumentException.class, () -> Level.parse("loud"));
        assertEquals(AlertType.PUSHOVER, AlertType.parse("pushover"));
        assertEquals("webhook", AlertType.WEBHOOK.wireName());
    }

    @Test
    public void serviceStatusesParseEveryValue() {
        assertEquals(ServiceStatus.UP, ServiceStatus.parse("up"));
        assertEquals(ServiceStatus.LATE, ServiceStatus.parse("late"));
        assertEquals(ServiceStatus.DEAD, ServiceStatus.parse("dead"));
        assertEquals(ServiceStatus.PAUSED, ServiceStatus.parse("paused"));
        assertEquals(ServiceStatus.NEW, ServiceStatus.parse("new"));
        assertEquals(ServiceStatus.UNKNOWN, ServiceStatus.parse("hibernating"), "a newer server's status");
        assertEquals(ServiceStatus.UNKNOWN, ServiceStatus.parse("PAUSED"), "the protocol's names are lowercase");
        assertEquals(ServiceStatus.UNKNOWN, ServiceStatus.parse(""));
        assertEquals(ServiceStatus.UNKNOWN, ServiceStatus.parse(null));
        for (ServiceStatus status : ServiceStatus.values()) {
            if (status != ServiceStatus.UNKNOWN) {
                assertEquals(status, ServiceStatus.parse(status.name().toLowerCase(java.util.Locale.ROOT)), "round trip");
            }
        }
    }

    @Test
    public void durationsConvertExactly() {
        assertEquals(new BigDecimal("90.5"), Wire.seconds(Duration.ofMillis(90_500)));
        assertEquals(new BigDecimal("0.000000001"), Wire.seconds(Duration.ofNanos(1)));
        assertEquals(0, new BigDecimal("31536000").compareTo(Wire.seconds(Duration.ofDays(365))));
        assertEquals(Duration.ofMillis(90_500), Wire.duration(90.5));
        assertEquals(Duration.ofNanos(1), Wire.duration(1e-9));
        assertEquals(Duration.ofSeconds(60), Wire.duration(60L));
        assertEquals(Instant.parse("2026-11-25T06:12:32.660Z"), Wire.instant("2026-11-25T06:12:32.660Z"));
        assertEquals(Instant.parse("2026-11-25T06:12:32.660Z"), Wire.instant("2026-11-25T07:12:32.660+01:00"));
    }

    @Test
    public void pulseBodyHasTheProtocolsFields() {
        Pulse pulse = Pulse.builder("backup").nextIn(Duration.ofMillis(1500)).alert(AlertType.MAIL, "ops@example.com")
                .remindEvery(Duration.ZERO).dependsOn("db").build();
        assertEquals("{\"service\":\"backup\",\"alertType\":\"mail\",\"alertTarget\":\"ops@example.com\","
                + "\"nextIn\":1.5,\"remindEvery\":0,\"dependsOn\":\"db\"}", Json.write(pulse.toJson()));
        assertEquals("{\"service\":\"x\",\"alertType\":\"webhook\",\"alertTarget\":\"ops\",\"nextIn\":60}",
                Json.write(Pulse.of("x", Duration.ofMinutes(1), AlertType.WEBHOOK, "ops").toJson()));
        assertThrows(NullPointerException.class, () -> Pulse.builder("x").nextIn(Duration.ofSeconds(1)).build());
    }

    @Test
    public void scheduledPulseBodyLeavesAbsentFieldsOut() {
        Pulse hourly = Pulse.scheduled("x", "@hourly", AlertType.WEBHOOK, "ops");
        assertEquals("{\"service\":\"x\",\"alertType\":\"webhook\",\"alertTarget\":\"ops\",\"schedule\":\"@hourly\"}",
                Json.write(hourly.toJson()));
        assertTrue(hourly.isScheduled(), "scheduled");
        assertNull(hourly.getNextIn(), "no nextIn");
        assertNull(hourly.getTz(), "no tz");
        assertNull(hourly.getGrace(), "no grace");

        Pulse full = Pulse.builder("report").schedule("0 9 * * MON-FRI").tz("Europe/Berlin").grace(Duration.ofMinutes(15))
                .alert(AlertType.MAIL, "ops@example.com").remindEvery(Duration.ofHours(6)).dependsOn("db").build();
        assertEquals("{\"service\":\"report\",\"alertType\":\"mail\",\"alertTarget\":\"ops@example.com\","
                + "\"schedule\":\"0 9 * * MON-FRI\",\"tz\":\"Europe/Berlin\",\"grace\":900,\"remindEvery\":21600,"
                + "\"dependsOn\":\"db\"}", Json.write(full.toJson()));
        assertEquals("0 9 * * MON-FRI", full.getSchedule());
        assertEquals("Europe/Berlin", full.getTz());
        assertEquals(Duration.ofMinutes(15), full.getGrace());
        assertContains(full.toString(), "\"tz\":\"Europe/Berlin\"");

        Pulse graced = Pulse.builder("x").nextIn(Duration.ofMinutes(1)).grace(Duration.ofMillis(30_500))
                .alert(AlertType.WEBHOOK, "ops").build();
        assertEquals("{\"service\":\"x\",\"alertType\":\"webhook\",\"alertTarget\":\"ops\",\"nextIn\":60,\"grace\":30.5}",
                Json.write(graced.toJson()));
        assertFalse(graced.isScheduled(), "not scheduled");
        assertNull(graced.getSchedule(), "no schedule");

        Pulse cleared = Pulse.builder("x").schedule("@daily").tz("Asia/Kolkata").tz(null).grace(Duration.ZERO).grace(null)
                .alert(AlertType.WEBHOOK, "ops").build();
        assertEquals("{\"service\":\"x\",\"alertType\":\"webhook\",\"alertTarget\":\"ops\",\"schedule\":\"@daily\"}",
                Json.write(cleared.toJson()), "null tz and grace are left out, not sent as null");
        assertEquals("{\"service\":\"x\",\"alertType\":\"webhook\",\"alertTarget\":\"ops\",\"nextIn\":1,\"grace\":0}",
                Json.write(Pulse.builder("x").nextIn(Duration.ofSeconds(1)).grace(Duration.ZERO).alert(AlertType.WEBHOOK, "ops")
                        .build().toJson()), "a zero grace is sent");
    }

    @Test
    public void pulseNeedsExactlyOneOfNextInAndSchedule() {
        assertEquals("a pulse needs nextIn or schedule", assertThrows(IllegalStateException.class,
                () -> Pulse.builder("x").alert(AlertType.WEBHOOK, "ops").build()).getMessage());
        assertEquals("a pulse has either nextIn or schedule, not both", assertThrows(IllegalStateException.class,
                () -> Pulse.builder("x").nextIn(Duration.ofSeconds(60)).schedule("@hourly").alert(AlertType.WEBHOOK, "ops").build())
                .getMessage());
        assertContains(assertThrows(IllegalStateException.class, () -> Pulse.builder("x").nextIn(Duration.ofSeconds(60))
                .tz("UTC").alert(AlertType.WEBHOOK, "ops").build()).getMessage(), "tz");
        assertThrows(IllegalStateException.class, () -> Pulse.builder("x").tz("UTC").alert(AlertType.WEBHOOK, "ops").build());
        assertThrows(NullPointerException.class, () -> Pulse.builder("x").schedule(null));
        assertThrows(NullPointerException.class, () -> Pulse.scheduled("x", null, AlertType.WEBHOOK, "ops"));
        assertThrows(NullPointerException.class, () -> Pulse.scheduled("x", "@hourly", null, "ops"));
        assertThrows(NullPointerException.class, () -> Pulse.builder("x").schedule("@hourly").build());
        // What only the server knows (cron grammar, zone names, ranges) is left to it.
        assertEquals("not cron", Pulse.scheduled("x", "not cron", AlertType.WEBHOOK, "ops").getSchedule());
        assertEquals(Duration.ofSeconds(-1), Pulse.builder("x").nextIn(Duration.ofSeconds(60)).grace(Duration.ofSeconds(-1))
                .alert(AlertType.WEBHOOK, "ops").build().getGrace());
    }

    @Test
    public void serviceDecodesScheduleTzAndGrace() {
        String common = "\"service\":\"r\",\"alertType\":\"webhook\",\"alertTarget\":\"ops\",";
        String times = "\"lastPulse\":\"2026-12-03T16:03:39.312Z\",\"deadline\":\"2026-12-03T17:15:00.000Z\",\"status\":\"up\"";
        Service scheduled = Service.fromJson(Json.parse("{" + common
                + "\"nextIn\":3380.688,\"schedule\":\"@hourly\",\"tz\":\"UTC\",\"grace\":900," + times + "}"));
        assertEquals(Optional.of("@hourly"), scheduled.getSchedule());
        assertEquals(Optional.of("UTC"), scheduled.getTz());
        assertEquals(Optional.of(Duration.ofMinutes(15)), scheduled.getGrace());
        assertEquals(Duration.ofMillis(3_380_688), scheduled.getNextIn());
        assertEquals(scheduled.getDeadline(), scheduled.getLastPulse().plus(scheduled.getNextIn()).plus(scheduled.getGrace().get()));
        assertContains(scheduled.toString(), "schedule=@hourly, tz=UTC, grace=PT15M");

        Service plain = Service.fromJson(Json.parse("{" + common + "\"nextIn\":3380.688," + times + "}"));
        assertEquals(Optional.empty(), plain.getSchedule());
        assertEquals(Optional.empty(), plain.getTz());
        assertEquals(Optional.empty(), plain.getGrace());
        assertFalse(plain.toString().contains("schedule") || plain.toString().contains("grace"), "absent: " + plain);
        assertFalse(plain.equals(scheduled), "schedule, tz and grace count in equals");
        assertEquals(plain, Service.fromJson(Json.parse("{" + common + "\"nextIn\":3380.688,\"schedule\":null," + times + "}")),
                "null is absent");

        Service again = Service.fromJson(Json.parse("{" + common
                + "\"nextIn\":3380.688,\"schedule\":\"@hourly\",\"tz\":\"UTC\",\"grace\":900.0," + times + "}"));
        assertEquals(scheduled, again);
        assertEquals(scheduled.hashCode(), again.hashCode());
        Service otherZone = Service.fromJson(Json.parse("{" + common
                + "\"nextIn\":3380.688,\"schedule\":\"@hourly\",\"tz\":\"Asia/Kolkata\",\"grace\":900," + times + "}"));
        assertFalse(otherZone.equals(scheduled), "tz counts in equals");
        assertThrows(IllegalArgumentException.class, () -> Service.fromJson(Json.parse("{" + common
                + "\"nextIn\":1,\"grace\":\"15m\"," + times + "}")));
    }

    @Test
    public void serviceDecodesFirstSeenAndNeverPulsed() {
        String common = "\"service\":\"d\",\"alertType\":\"webhook\",\"alertTarget\":\"ops\",\"nextIn\":60,"
                + "\"lastPulse\":\"2026-12-03T16:03:39.312Z\",\"deadline\":\"2026-12-03T16:04:39.312Z\",";
        Service declared = Service.fromJson(Json.parse("{" + common
                + "\"firstSeen\":\"2026-12-03T16:03:39.312Z\",\"status\":\"new\",\"neverPulsed\":true}"));
        assertEquals(ServiceStatus.NEW, declared.getStatus());
        assertTrue(declared.isNeverPulsed(), "neverPulsed: true");
        assertEquals(Optional.of(declared.getLastPulse()), declared.getFirstSeen());
        assertContains(declared.toString(), "firstSeen=2026-12-03T16:03:39.312Z");
        assertContains(declared.toString(), "neverPulsed");

        Service older = Service.fromJson(Json.parse("{" + common + "\"status\":\"up\"}"));
        assertFalse(older.isNeverPulsed(), "absent: false");
        assertEquals(Optional.empty(), older.getFirstSeen());
        assertFalse(older.toString().contains("firstSeen") || older.toString().contains("neverPulsed"), "absent: " + older);
        Service explicit = Service.fromJson(Json.parse("{" + common + "\"status\":\"up\",\"neverPulsed\":false,\"firstSeen\":null}"));
        assertEquals(older, explicit, "false and null are absent");
        assertEquals(older.hashCode(), explicit.hashCode());
        Service dead = Service.fromJson(Json.parse("{" + common + "\"status\":\"dead\",\"neverPulsed\":true}"));
        Service pulsedDead = Service.fromJson(Json.parse("{" + common + "\"status\":\"dead\"}"));
        assertFalse(dead.equals(pulsedDead), "neverPulsed counts in equals");
        assertThrows(IllegalArgumentException.class, () -> Service.fromJson(Json.parse("{" + common
                + "\"status\":\"new\",\"neverPulsed\":\"yes\"}")));
    }

    @Test
    public void eventQueryEncodesEveryFilter() {
        assertEquals("", EventQuery.all().toQueryString());
        EventQuery query = EventQuery.builder()
                .service("my service/é")
                .from(Instant.parse("2026-11-24T00:00:00Z"))
                .to(Instant.parse("2026-11-25T06:12:32.660Z"))
                .minLevel(Level.WARNING)
                .message("disk & 100%")
                .order(EventQuery.Order.ASC)
                .limit(20)
                .cursor("ZDE3+/=")
                .build();
        assertEquals("service=my+service%2F%C3%A9&from=2026-11-24T00%3A00%3A00Z&to=2026-11-25T06%3A12%3A32.660Z"
                + "&level=warning&message=disk+%26+100%25&order=asc&limit=20&cursor=ZDE3%2B%2F%3D", query.toQueryString());
        assertEquals(query, query.toBuilder().build());
        assertEquals("abc", query.withCursor("abc").getCursor());
        assertNull(query.toBuilder().service(null).build().getService(), "a filter can be removed");
    }

    @Test
    public void serviceQueryEncodesEveryFilter() {
        assertEquals("", ServiceQuery.all().toQueryString());
        ServiceQuery query = ServiceQuery.builder()
                .prefix("my service/é&+")
                .statuses(ServiceStatus.NEW, ServiceStatus.DEAD, ServiceStatus.LATE, ServiceStatus.DEAD)
                .limit(20)
                .cursor("a b/c+d")
                .build();
        assertEquals("prefix=my+service%2F%C3%A9%26%2B&status=late%2Cdead%2Cnew&limit=20&cursor=a+b%2Fc%2Bd",
                query.toQueryString(), "statuses once each, in their declared order");
        assertEquals("my service/é&+", query.getPrefix());
        assertEquals(java.util.EnumSet.of(ServiceStatus.LATE, ServiceStatus.DEAD, ServiceStatus.NEW), query.getStatuses());
        assertEquals(Integer.valueOf(20), query.getLimit());
        assertEquals("a b/c+d", query.getCursor());
        assertEquals(query, query.toBuilder().build());
        assertEquals(query.hashCode(), query.toBuilder().build().hashCode());
        assertEquals("next", query.withCursor("next").getCursor());
        assertEquals(query.getStatuses(), query.withCursor("next").getStatuses(), "withCursor keeps the filters");
        assertEquals("status=up", ServiceQuery.builder().statuses(ServiceStatus.UP).build().toQueryString());
        assertEquals("limit=1", query.toBuilder().prefix(null).statuses((ServiceStatus[]) null).limit(1).cursor(null)
                .build().toQueryString(), "a filter can be removed");
        assertEquals("", ServiceQuery.builder().statuses(ServiceStatus.UP).statuses().build().toQueryString(),
                "statuses replace those given before; none: every status");
        assertEquals("", ServiceQuery.builder().statuses(Collections.<ServiceStatus>emptyList()).build().toQueryString());
        assertFalse(query.equals(ServiceQuery.all()), "filters count in equals");
        assertEquals("ServiceQuery{limit=1}", ServiceQuery.builder().limit(1).build().toString());
        assertThrows(UnsupportedOperationException.class, () -> query.getStatuses().clear());
        // What the client can tell is wrong is refused; ranges are left to the server.
        assertThrows(IllegalArgumentException.class, () -> ServiceQuery.builder().statuses(ServiceStatus.UNKNOWN));
        assertThrows(NullPointerException.class, () -> ServiceQuery.builder().statuses(ServiceStatus.UP, null));
        assertThrows(IllegalArgumentException.class, () -> ServiceQuery.builder().prefix(""));
        ServiceQuery.Builder kept = ServiceQuery.builder().statuses(ServiceStatus.UP);
        assertThrows(IllegalArgumentException.class, () -> kept.statuses(ServiceStatus.DEAD, ServiceStatus.UNKNOWN));
        assertEquals("status=up", kept.build().toQueryString(), "a refused call changes nothing");
        assertEquals("limit=0", ServiceQuery.builder().limit(0).build().toQueryString());
        assertEquals("up", ServiceStatus.UP.wireName());
        assertThrows(IllegalStateException.class, ServiceStatus.UNKNOWN::wireName);
    }

    @Test
    public void serviceLinkHeaderGivesTheNextCursor() {
        assertEquals("backup/é &+", EventPage.nextCursor(Collections.singletonList(
                "</?prefix=backup&status=dead%2Clate&limit=2&cursor=backup%2F%C3%A9+%26%2B>; rel=\"next\"")));
    }

    @Test
    public void linkHeaderGivesTheNextCursor() {
        assertEquals("ZDE3OTU2MTYwNjQyNTkuNQ", EventPage.nextCursor(Collections.singletonList(
                "</list-events?limit=2&level=warning&cursor=ZDE3OTU2MTYwNjQyNTkuNQ>; rel=\"next\"")));
        assertEquals("a+b/c=", EventPage.nextCursor(Collections.singletonList(
                "</list-events?cursor=a%2Bb%2Fc%3D&limit=1>; rel=next")), "unquoted rel, encoded cursor");
        assertEquals("n", EventPage.nextCursor(Collections.singletonList(
                "</list-events?cursor=p>; rel=\"prev\"; title=\"a, b\", </list-events?cursor=n>; rel=\"next last\"")),
                "several links, a comma inside quotes, several relations");
        assertEquals("n", EventPage.nextCursor(Arrays.asList("</x?cursor=p>; rel=prev", "</x?cursor=n>; REL=\"Next\"")),
                "several headers");
        assertNull(EventPage.nextCursor(Collections.singletonList("</list-events?cursor=p>; rel=\"prev\"")), "no next");
        assertNull(EventPage.nextCursor(Collections.<String>emptyList()), "no header");
        assertNull(EventPage.nextCursor(null), "no header");
    }

    @Test
    public void builderChecksItsArguments() {
        assertThrows(IllegalStateException.class, () -> WatchtowerClient.builder().password("x").build());
        assertThrows(IllegalStateException.class, () -> WatchtowerClient.builder().url("http://localhost").build());
        assertThrows(IllegalArgumentException.class, () -> WatchtowerClient.builder().url("ftp://localhost"));
        assertThrows(IllegalArgumentException.class, () -> WatchtowerClient.builder().url("not a url"));
        assertThrows(IllegalArgumentException.class, () -> WatchtowerClient.builder().url("http://h/?a=b"));
        assertThrows(IllegalArgumentException.class, () -> WatchtowerClient.builder().readTimeout(Duration.ofSeconds(-1)));
        assertThrows(java.io.UncheckedIOException.class,
                () -> WatchtowerClient.builder().trustCertificate(Paths.get("/nonexistent/cert.pem")));
        assertEquals("http://h:1/prefix/", WatchtowerClient.builder().url("http://h:1/prefix").password("p").build().getUrl());
    }

    @Test
    public void invalidRequestSplitsFieldAndProblem() {
        InvalidRequestException e = new InvalidRequestException("m", "nextIn: must be a positive number of seconds");
        assertEquals("nextIn", e.getField());
        assertEquals("must be a positive number of seconds", e.getProblem());
        assertEquals(400, e.getStatus());
        InvalidRequestException bare = new InvalidRequestException("m", "no field here");
        assertNull(bare.getField(), "no field");
        assertEquals("no field here", bare.getProblem());
        assertContains(new InvalidRequestException("m", null).getMessage(), "m");
    }

    @Test
    public void pathSegmentsAreEncoded() {
        assertEquals("ci-deploy_1.x", Wire.pathSegment("ci-deploy_1.x"));
        assertEquals("a%20b%2Fc%3Fd%23e%25f%2B", Wire.pathSegment("a b/c?d#e%f+"));
        assertEquals("%C3%A9", Wire.pathSegment("é"));
        assertEquals("%2E", Wire.pathSegment("."));
        assertEquals("%2E%2E", Wire.pathSegment(".."));
        assertThrows(IllegalArgumentException.class, () -> Wire.pathSegment(""));
    }

    @Test
    public void keysAndIdentitiesDecode() {
        CreatedKey created = CreatedKey.fromJson(Json.parse("{\"name\":\"ci\",\"scope\":\"write\",\"prefix\":\"team-a-\","
                + "\"created\":\"2026-11-25T06:12:32.660Z\",\"expires\":\"2027-02-23T06:12:32.660Z\",\"revoked\":null,"
                + "\"lastUsed\":null,\"secret\":\"wtk_s3cr3t\"}"));
        assertEquals("wtk_s3cr3t", created.getSecret());
        assertEquals(java.util.Optional.of(Instant.parse("2027-02-23T06:12:32.660Z")), created.getKey().getExpires());
        assertEquals(java.util.Optional.empty(), created.getKey().getLastUsed());
        assertEquals(false, created.toString().contains("s3cr3t"), "toString hides the secret: " + created);
        assertContains(created.toString(), "team-a-");

        Identity identity = Identity.fromJson(Json.parse(
                "{\"name\":\"ci\",\"kind\":\"key\",\"scope\":\"write\",\"prefix\":null,\"may\":[\"read\",\"ingest\",\"write\"]}"));
        assertEquals(Arrays.asList("read", "ingest", "write"), identity.getMay());
        assertEquals(true, identity.may("ingest"));
        assertEquals(false, identity.may("admin"));
        assertEquals(java.util.Optional.empty(), identity.getPrefix());
        assertThrows(IllegalArgumentException.class, () -> Identity.fromJson(Json.parse(
                "{\"name\":\"ci\",\"kind\":\"key\",\"scope\":\"write\",\"may\":\"read\"}")));
    }

    @Test
    public void alertRecordsDecodeEveryFieldAndKeepUnknownValues() {
        AlertRecord alert = AlertRecord.fromJson(Json.parse("{\"id\":812,\"kind\":\"down\",\"service\":\"backup\","
                + "\"alertType\":\"webhook\",\"alertTarget\":\"ops\",\"created\":\"2026-12-03T02:15:04.120Z\","
                + "\"state\":\"pending\",\"attempts\":3,\"lastError\":\"transient: HTTP 503 Service Unavailable\","
                + "\"nextAttempt\":\"2026-12-03T02:16:10.000Z\",\"fannedFrom\":811,\"newField\":true}"));
        assertEquals(812L, alert.getId());
        assertEquals("down", alert.getKind());
        assertEquals("backup", alert.getService());
        assertEquals("webhook", alert.getAlertType());
        assertEquals("ops", alert.getAlertTarget());
        assertEquals(Instant.parse("2026-12-03T02:15:04.120Z"), alert.getCreated());
        assertEquals("pending", alert.getState());
        assertEquals(3, alert.getAttempts());
        assertEquals(Optional.of("transient: HTTP 503 Service Unavailable"), alert.getLastError());
        assertEquals(Optional.of(Instant.parse("2026-12-03T02:16:10Z")), alert.getNextAttempt());
        assertEquals(Optional.of(811L), alert.getFannedFrom());
        assertTrue(alert.isFailing(), "pending after failed attempts");
        assertContains(alert.toString(), "fannedFrom=811");

        String newer = "{\"id\":9,\"kind\":\"escalation\",\"service\":\"*\",\"alertType\":\"carrier-pigeon\","
                + "\"alertTarget\":\"loft\",\"created\":\"2026-12-03T02:15:04Z\",\"state\":\"rerouted\",\"attempts\":0";
        AlertRecord unknown = AlertRecord.fromJson(Json.parse(newer + "}"));
        assertEquals("escalation", unknown.getKind());
        assertEquals("rerouted", unknown.getState());
        assertEquals("carrier-pigeon", unknown.getAlertType());
        assertEquals(Optional.empty(), unknown.getLastError());
        assertEquals(Optional.empty(), unknown.getNextAttempt());
        assertEquals(Optional.empty(), unknown.getFannedFrom());
        assertFalse(unknown.isFailing(), "not pending");
        assertFalse(unknown.toString().contains("lastError"), "absent: " + unknown);
        assertEquals(unknown, AlertRecord.fromJson(Json.parse(newer + ",\"lastError\":null}")), "null is absent");
        assertEquals(unknown.hashCode(), AlertRecord.fromJson(Json.parse(newer + "}")).hashCode());
        assertFalse(unknown.equals(alert), "different alerts");
        assertThrows(IllegalArgumentException.class, () -> AlertRecord.fromJson(Json.parse("{\"id\":9}")));
    }

    @Test
    public void alertQueriesBuildTheirQueryString() {
        assertEquals("", AlertQuery.all().toQueryString());
        AlertQuery query = AlertQuery.builder().service("a b&c").state(AlertQuery.FAILING).limit(20).build();
        assertEquals("service=a+b%26c&state=failing&limit=20", query.toQueryString());
        assertEquals("a b&c", query.getService());
        assertEquals("failing", query.getState());
        assertEquals(Integer.valueOf(20), query.getLimit());
        assertEquals(query, query.toBuilder().build());
        assertEquals(query.hashCode(), query.toBuilder().build().hashCode());
        assertEquals("state=sent", query.toBuilder().service(null).state("sent").limit(null).build().toQueryString());
        assertFalse(query.equals(AlertQuery.all()), "filters count in equals");
        assertEquals("AlertQuery{limit=1}", AlertQuery.builder().limit(1).build().toString());
    }

    @Test
    public void pingDecodesWithAndWithoutItsOptionalFields() {
        String fullJson = "{\"date\":\"2026-12-03T16:03:39.312Z\",\"kind\":\"fail\","
                + "\"source\":\"api\",\"client\":\"127.0.0.1\",\"userAgent\":\"watchtower-java/0.1.0\","
                + "\"body\":\"exit 3: disk full\",\"duration\":12.5}";
        Ping full = Ping.fromJson(Json.parse(fullJson));
        assertEquals(Instant.parse("2026-12-03T16:03:39.312Z"), full.getDate());
        assertEquals("fail", full.getKind());
        assertEquals("api", full.getSource());
        assertEquals(Optional.of("127.0.0.1"), full.getClient());
        assertEquals(Optional.of("watchtower-java/0.1.0"), full.getUserAgent());
        assertEquals(Optional.of("exit 3: disk full"), full.getBody());
        assertEquals(Optional.of(Duration.ofMillis(12_500)), full.getDuration());
        assertContains(full.toString(), "kind=fail, source=api, client=127.0.0.1");
        assertContains(full.toString(), "duration=PT12.5S");

        String bare = "{\"date\":\"2026-12-03T16:03:39.312Z\",\"kind\":\"log\",\"source\":\"kuma\"";
        Ping minimal = Ping.fromJson(Json.parse(bare + "}"));
        assertEquals("log", minimal.getKind());
        assertEquals("kuma", minimal.getSource());
        assertEquals(Optional.empty(), minimal.getClient());
        assertEquals(Optional.empty(), minimal.getUserAgent());
        assertEquals(Optional.empty(), minimal.getBody());
        assertEquals(Optional.empty(), minimal.getDuration());
        assertEquals("Ping{date=2026-12-03T16:03:39.312Z, kind=log, source=kuma}", minimal.toString());
        assertEquals(1L, minimal.getCount(), "absent is 1");
        assertEquals(Optional.empty(), minimal.getLastDate());
        assertEquals(1L, full.getCount());
        assertEquals(Optional.empty(), full.getLastDate());
        String foldedJson = "{\"date\":\"2026-12-03T16:03:39.312Z\",\"kind\":\"pulse\",\"source\":\"api\","
                + "\"count\":7,\"lastDate\":\"2026-12-03T16:04:30.5Z\"}";
        Ping folded = Ping.fromJson(Json.parse(foldedJson));
        assertEquals(7L, folded.getCount());
        assertEquals(Optional.of(Instant.parse("2026-12-03T16:04:30.500Z")), folded.getLastDate());
        assertEquals("Ping{date=2026-12-03T16:03:39.312Z, kind=pulse, source=api, count=7, "
                + "lastDate=2026-12-03T16:04:30.500Z}", folded.toString());
        assertEquals(folded, Ping.fromJson(Json.parse(foldedJson)));
        assertEquals(folded.hashCode(), Ping.fromJson(Json.parse(foldedJson)).hashCode());
        Ping unfolded = Ping.fromJson(Json.parse("{\"date\":\"2026-12-03T16:03:39.312Z\",\"kind\":\"pulse\","
                + "\"source\":\"api\"}"));
        assertFalse(folded.equals(unfolded), "count and lastDate count in equals");
        Ping nulls = Ping.fromJson(Json.parse(bare + ",\"client\":null,\"body\":null,\"duration\":null}"));
        assertEquals(minimal, nulls, "null is absent");
        assertEquals(minimal.hashCode(), nulls.hashCode());
        assertFalse(minimal.equals(full), "different pings");
        assertEquals(Optional.of(Duration.ZERO), Ping.fromJson(Json.parse(bare + ",\"duration\":0}")).getDuration());
        assertEquals("hibernate", Ping.fromJson(Json.parse("{\"date\":\"2026-12-03T16:03:39.312Z\","
                + "\"kind\":\"hibernate\",\"source\":\"carrier-pigeon\"}")).getKind(), "a newer server's kind reads");
        assertThrows(IllegalArgumentException.class, () -> Ping.fromJson(Json.parse("{\"kind\":\"pulse\",\"source\":\"api\"}")));
        assertThrows(IllegalArgumentException.class, () -> Ping.fromJson(Json.parse(bare + ",\"duration\":\"12s\"}")));
        assertEquals(Arrays.asList(full, minimal), Runs.pings(Json.parse("[" + fullJson + "," + bare + "}]")), "an array, in order");
        assertThrows(IllegalArgumentException.class, () -> Runs.pings(Json.parse("{\"pings\":[]}")));
    }

    @Test
    public void serviceDecodesRunningSince() {
        String common = "\"service\":\"job\",\"alertType\":\"webhook\",\"alertTarget\":\"ops\",\"nextIn\":60,"
                + "\"lastPulse\":\"2026-12-03T16:03:39.312Z\",\"deadline\":\"2026-12-03T16:04:39.312Z\",\"status\":\"up\"";
        Service running = Service.fromJson(Json.parse("{" + common + ",\"runningSince\":\"2026-12-03T16:03:39.312Z\"}"));
        assertEquals(Optional.of(Instant.parse("2026-12-03T16:03:39.312Z")), running.getRunningSince());
        assertContains(running.toString(), "runningSince=2026-12-03T16:03:39.312Z");
        Service idle = Service.fromJson(Json.parse("{" + common + "}"));
        assertEquals(Optional.empty(), idle.getRunningSince());
        assertFalse(idle.toString().contains("runningSince"), "absent: " + idle);
        assertFalse(idle.equals(running), "runningSince counts in equals");
        assertFalse(idle.hashCode() == running.hashCode(), "and in hashCode");
        assertEquals(idle, Service.fromJson(Json.parse("{" + common + ",\"runningSince\":null}")), "null is absent");
    }

    @Test
    public void channelsDecodeEveryFormAndNullPingKeyFields() {
        String json = "{\"channels\":[{\"alertType\":\"mail\",\"form\":\"email\"},"
                + "{\"alertType\":\"webhook\",\"form\":\"named\",\"targets\":[\"dev\",\"ops\"]},"
                + "{\"alertType\":\"ntfy\",\"form\":\"pattern\",\"pattern\":\"^[A-Za-z0-9_-]{1,64}$\",\"maxChars\":64},"
                + "{\"alertType\":\"semaphore\",\"form\":\"flags\"}],"
                + "\"routes\":[{\"name\":\"oncall\",\"steps\":[{\"alertType\":\"webhook\",\"alertTarget\":\"dev\"}]}],"
                + "\"pingKeys\":[{\"name\":\"cron\",\"service\":null,\"prefix\":null,\"services\":[],"
                + "\"alertType\":null,\"alertTarget\":null}]}";
        Channels channels = Channels.fromJson(Json.parse(json));
        assertEquals(4, channels.getChannels().size());
        Channel mail = channels.getChannels().get(0);
        assertEquals("Channel{alertType=mail, form=email}", mail.toString());
        assertEquals(Collections.emptyList(), mail.getTargets());
        Channel ntfy = channels.getChannel("ntfy").get();
        assertEquals(Optional.of("^[A-Za-z0-9_-]{1,64}$"), ntfy.getPattern());
        assertEquals(Optional.of(64), ntfy.getMaxChars());
        assertEquals("flags", channels.getChannel("semaphore").get().getForm(), "a newer server's form reads");
        assertEquals("[webhook:dev]", channels.getRoutes().get(0).getSteps().toString());
        PingKey key = channels.getPingKeys().get(0);
        assertEquals("PingKey{name=cron}", key.toString());
        assertEquals(Optional.empty(), key.getService());
        assertEquals(Optional.empty(), key.getPrefix());
        assertEquals(Optional.empty(), key.getAlertType());
        assertEquals(Optional.empty(), key.getAlertTarget());
        assertEquals(channels, Channels.fromJson(Json.parse(json)));
        assertEquals(channels.hashCode(), Channels.fromJson(Json.parse(json)).hashCode());
        assertThrows(IllegalArgumentException.class, () -> Channels.fromJson(Json.parse("{\"channels\":[]}")));
        assertThrows(IllegalArgumentException.class, () -> Channels.fromJson(Json.parse(
                "{\"channels\":[{\"alertType\":\"webhook\",\"form\":\"named\",\"targets\":[1]}],"
                + "\"routes\":[],\"pingKeys\":[]}")));
    }

    @Test
    public void dailyUptimeDecodesNullDaysAndChecksTheirCount() {
        DailyUptime uptime = DailyUptime.fromJson(Json.parse("{\"dates\":[\"2026-12-01\",\"2026-12-02\",\"2026-12-03\"],"
                + "\"services\":{\"backup\":[null,1,0.98],\"db\":[0,0.5,1.0]}}"));
        assertEquals(Arrays.asList(LocalDate.of(2026, 12, 1), LocalDate.of(2026, 12, 2), LocalDate.of(2026, 12, 3)),
                uptime.getDates());
        assertEquals(Arrays.asList(null, 1.0, 0.98), uptime.getService("backup").get());
        assertEquals(Arrays.asList(0.0, 0.5, 1.0), uptime.getService("db").get(), "integers read as doubles");
        assertEquals(Arrays.asList("backup", "db"), new java.util.ArrayList<>(uptime.getServices().keySet()));
        assertEquals(Optional.of(0.98), uptime.getUptime("backup", LocalDate.of(2026, 12, 3)));
        assertEquals(Optional.empty(), uptime.getUptime("backup", LocalDate.of(2026, 12, 1)), "null: not seen yet");
        assertEquals(Optional.empty(), uptime.getUptime("nothing", LocalDate.of(2026, 12, 3)));
        assertThrows(IllegalArgumentException.class, () -> DailyUptime.fromJson(Json.parse(
                "{\"dates\":[\"2026-12-03\"],\"services\":{\"backup\":[1,1]}}")));
        assertThrows(IllegalArgumentException.class, () -> DailyUptime.fromJson(Json.parse(
                "{\"dates\":[\"2026-12-03\"],\"services\":{\"backup\":[\"up\"]}}")));
        assertThrows(RuntimeException.class, () -> DailyUptime.fromJson(Json.parse(
                "{\"dates\":[\"03.12.2026\"],\"services\":{}}")));
    }

    @Test
    public void scheduleQueryEncodesEveryParameter() {
        assertEquals("schedule=30+2+*+*+1-5", ScheduleExplanation.query("30 2 * * 1-5", null, null));
        assertEquals("schedule=*%2F15+*+*+*+*&tz=America%2FNew_York&count=3",
                ScheduleExplanation.query("*/15 * * * *", "America/New_York", 3));
        ScheduleExplanation explained = ScheduleExplanation.fromJson(Json.parse("{\"schedule\":\"@daily\",\"tz\":\"UTC\","
                + "\"description\":\"At 00:00.\",\"next\":[\"2026-12-04T00:00:00.000Z\",\"2026-12-05T00:00:00.000Z\"]}"));
        assertEquals(Arrays.asList(Instant.parse("2026-12-04T00:00:00Z"), Instant.parse("2026-12-05T00:00:00Z")),
                explained.getNext());
        assertEquals("At 00:00.", explained.getDescription());
        assertThrows(NullPointerException.class, () -> ScheduleExplanation.query(null, "UTC", 1));
    }

    @Test
    public void attributeValuesAreKeptAsTheServerAnswersThem() {
        Map<String, Object> given = new LinkedHashMap<>();
        given.put("int", 503);
        given.put("short", (short) -2);
        given.put("byte", (byte) 7);
        given.put("long", Long.MIN_VALUE);
        given.put("bigSmall", BigInteger.TEN);
        given.put("u64", new BigInteger("18446744073709551615"));
        given.put("beyond", new BigInteger("18446744073709551616"));
        given.put("double", 1000.0);
        given.put("float", 0.1f);
        given.put("decimal", new BigDecimal("1.250"));
        given.put("decimalWhole", new BigDecimal("5E+1"));
        given.put("text", "503");
        given.put("flag", false);
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("int", 503L);
        expected.put("short", -2L);
        expected.put("byte", 7L);
        expected.put("long", Long.MIN_VALUE);
        expected.put("bigSmall", 10L);
        expected.put("u64", new BigInteger("18446744073709551615"));
        expected.put("beyond", 1.8446744073709552E19);
        expected.put("double", 1000.0);
        expected.put("float", 0.1);
        expected.put("decimal", 1.25);
        expected.put("decimalWhole", 50L);
        expected.put("text", "503");
        expected.put("flag", false);
        Map<String, Object> checked = Attributes.checked(given);
        assertEquals(expected, checked);
        assertEquals(new java.util.ArrayList<>(given.keySet()), new java.util.ArrayList<>(checked.keySet()), "in the map's order");
        assertEquals("{\"int\":503,\"double\":1000.0,\"big\":1e+20,\"tiny\":1.5e-7,\"text\":\"x\",\"flag\":true}",
                Json.write(Attributes.toJson(Attributes.checked(attributes("int", 503, "double", 1000.0, "big", 1e20,
                        "tiny", 1.5e-7, "text", "x", "flag", true)))),
                "a double is written as the server writes it, so that it stays a double");
    }

    @Test
    public void attributeValuesOfOtherTypesAreRefused() {
        Object[] refused = {null, Arrays.asList(1, 2), Collections.emptyMap(), new Object(), new AtomicLong(3),
            Double.NaN, Double.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, new BigDecimal("1E+400"), 'c'};
        for (Object value : refused) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Attributes.checked(Collections.singletonMap("the-name", value)));
            assertContains(e.getMessage(), "attributes: `the-name` must be");
            assertThrows(IllegalArgumentException.class, () -> EventQuery.builder().attribute("the-name", value == null ? 'n' : value));
        }
        assertThrows(NullPointerException.class, () -> Attributes.checked(Collections.singletonMap(null, 1)));
    }

    @Test
    public void doublesAreWrittenAsTheServerWritesThem() {
        // What the server answered for each (serde_json's form), checked against the real server.
        Object[][] cases = {
            {1000.0, "1000.0"}, {100.0, "100.0"}, {-4.0, "-4.0"}, {0.25, "0.25"}, {0.1, "0.1"},
            {0.002, "0.002"}, {12345678.9, "12345678.9"}, {1e15, "1000000000000000.0"}, {1e16, "1e+16"},
            {1e20, "1e+20"}, {-1.5e21, "-1.5e+21"}, {1.5e-7, "1.5e-7"}, {1e-5, "0.00001"}, {1e-6, "1e-6"},
            {0.0, "0.0"}, {-0.0, "-0.0"}, {1.8446744073709552E19, "1.8446744073709552e+19"},
            {9007199254740994.0, "9007199254740994.0"}, {1.2345678901234567e20, "1.2345678901234567e+20"},
            {1.2345000000000001e-300, "1.2345000000000001e-300"}, {Double.MIN_VALUE, "5e-324"},
            {Double.MAX_VALUE, "1.7976931348623157e+308"}, {2e-3, "0.002"}, {5e-5, "0.00005"},
        };
        for (Object[] c : cases) {
            assertEquals(c[1], Attributes.doubleText((Double) c[0]), String.valueOf(c[0]));
        }
        for (double d : new double[] {Math.PI, -Math.E, 1 / 3.0, 2e23, 4.35, 0.3, 123e-310, Math.ulp(1.0)}) {
            String text = Attributes.doubleText(d);
            assertEquals(d, Double.parseDouble(text), text + " reads back");
            assertTrue(new BigDecimal(text).stripTrailingZeros().precision()
                    <= new BigDecimal(Double.toString(d)).stripTrailingZeros().precision(),
                    text + " has no more digits than " + Double.toString(d));
        }
    }

    @Test
    public void eventQueryEncodesAttributeFilters() {
        EventQuery query = EventQuery.builder()
                .service("web")
                .attribute("host", "web 1/é&")
                .attribute("status", 503)
                .attribute("ratio", 0.25)
                .attribute("retry", true)
                .attribute("big", 1e20)
                .attribute("a b.c", "x")
                .limit(5)
                .build();
        assertEquals("service=web&attr.host=web+1%2F%C3%A9%26&attr.status=503&attr.ratio=0.25&attr.retry=true"
                + "&attr.big=1e%2B20&attr.a+b.c=x&limit=5", query.toQueryString());
        assertEquals(attributes("host", "web 1/é&", "status", 503L, "ratio", 0.25, "retry", true, "big", 1e20, "a b.c", "x"),
                query.getAttributes(), "an Integer is kept as a Long");
        assertThrows(UnsupportedOperationException.class, () -> query.getAttributes().clear());
        assertEquals(query, query.toBuilder().build());
        assertEquals(query.getAttributes(), query.withCursor("c").getAttributes(), "the next page keeps the filters");
        assertEquals("attr.status=500", EventQuery.builder().attribute("status", 503).attribute("status", 500)
                .build().toQueryString(), "a name again replaces its value");
        assertEquals("attr.b=2", EventQuery.builder().attribute("a", 1).attribute("b", 2).attribute("a", null)
                .build().toQueryString(), "null removes a filter");
        assertEquals("service=web&limit=5", query.toBuilder().attributes(null).build().toQueryString(), "attributes(null) removes them all");
        assertEquals("attr.x=false&attr.y=7", EventQuery.builder().attribute("z", 1)
                .attributes(attributes("x", false, "y", 7)).build().toQueryString(), "attributes(map) replaces them");
        assertThrows(NullPointerException.class, () -> EventQuery.builder().attribute(null, 1));
        EventQuery.Builder kept = EventQuery.builder().attribute("a", 1);
        assertThrows(IllegalArgumentException.class, () -> kept.attributes(attributes("b", 2, "c", Arrays.asList(3))));
        assertEquals("attr.a=1", kept.build().toQueryString(), "a refused call changes nothing");
        assertEquals(Collections.emptyMap(), EventQuery.all().getAttributes());
    }

    @Test
    public void eventsReadTheirAttributes() {
        String common = "\"id\":1,\"service\":\"web\",\"level\":\"error\",\"message\":\"m\",\"date\":\"2026-12-05T07:32:52.315Z\"";
        Event with = Event.fromJson(Json.parse("{" + common + ",\"attributes\":{\"big\":1e+20,\"host\":\"web-1\","
                + "\"ok\":false,\"ratio\":1000.0,\"status\":503,\"u64\":18446744073709551615}}"));
        assertEquals(attributes("big", 1e20, "host", "web-1", "ok", false, "ratio", 1000.0, "status", 503L,
                "u64", new BigInteger("18446744073709551615")), with.getAttributes());
        assertEquals(Arrays.asList("big", "host", "ok", "ratio", "status", "u64"),
                new java.util.ArrayList<>(with.getAttributes().keySet()), "in the answer's order");
        assertThrows(UnsupportedOperationException.class, () -> with.getAttributes().put("x", 1));
        assertContains(with.toString(), "attributes={big=1.0E20, host=web-1");
        Event without = Event.fromJson(Json.parse("{" + common + "}"));
        assertEquals(Collections.emptyMap(), without.getAttributes());
        assertThrows(UnsupportedOperationException.class, () -> without.getAttributes().put("x", 1));
        assertFalse(without.toString().contains("attributes"), "no attributes, none shown");
        assertFalse(with.equals(without), "attributes count in equality");
        assertEquals(without, Event.fromJson(Json.parse("{" + common + ",\"attributes\":null}")));
        assertThrows(IllegalArgumentException.class, () -> Event.fromJson(Json.parse("{" + common + ",\"attributes\":[1]}")));
        assertThrows(IllegalArgumentException.class, () -> Event.fromJson(Json.parse("{" + common + ",\"attributes\":{\"a\":[1]}}")));
    }

    /** A map of names and values given in turn, in that order. */
    static Map<String, Object> attributes(Object... namesAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            map.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return map;
    }
}

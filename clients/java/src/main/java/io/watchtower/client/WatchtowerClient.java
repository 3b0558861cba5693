package io.watchtower.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.HttpRetryException;
import java.net.HttpURLConnection;
import java.net.MalformedURLException;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * A client of a Watchtower server: heartbeats (pulse, declare, pause, resume, cancel, list services
 * with filters and pages, daily uptime, explain a schedule), a job's runs (start, fail) and the
 * ping history, events (add, list with filters and pages), the channels it can alert, test
 * alerts, alerts as they fared, and API keys (create, list, revoke, who am I).
 * Immutable and thread-safe: build one and share it.
 *
 * <pre>{@code
 * WatchtowerClient client = WatchtowerClient.builder()
 *         .url("https://watchtower.example.com:8080")
 *         .password(System.getenv("WATCHTOWER_PASSWORD"))
 *         .build();
 *
 * // "backup is alive; alert ops@example.com if it does not pulse again within 25 hours"
 * client.pulse("backup", Duration.ofHours(25), AlertType.MAIL, "ops@example.com");
 *
 * client.addEvent("backup", Level.WARNING, "disk 91% full");
 *
 * for (Event event : client.events(EventQuery.builder().service("backup").minLevel(Level.WARNING).build())) {
 *     System.out.println(event.getDate() + " " + event.getMessage());
 * }
 *
 * client.cancel("backup");   // retired: never alert again
 * }</pre>
 *
 * <p>The client authenticates with the server's password or with an API key's secret
 * ({@code wtk_…}), given to {@link Builder#password(String)} either way. A key's scope limits what
 * the client may do: a request it does not allow throws a {@link ForbiddenException}, and
 * {@link #whoami()} tells what it allows.
 *
 * <p>Every method sends one HTTP request (except {@link #events(EventQuery)} and
 * {@link #services(ServiceQuery)}, which send one a page, and {@link #listServices(ServiceQuery)}
 * with a limit, which sends one a page too) with {@link HttpURLConnection}, and throws a
 * {@link WatchtowerException} subclass when it fails; see there for which.
 */
public final class WatchtowerClient {
    /** This library's version, sent in the {@code User-Agent} header. */
    public static final String VERSION = "0.1.0";

    /** The default connect timeout: 10 seconds. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    /** The default read timeout (the longest wait for the answer): 30 seconds. */
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);

    private final String baseUrl;
    private final String password;
    private final int connectTimeoutMillis;
    private final int readTimeoutMillis;
    private final SSLSocketFactory sslSocketFactory;
    private final HostnameVerifier hostnameVerifier;
    private final Proxy proxy;
    private final String userAgent;

    private WatchtowerClient(Builder b) {
        this.baseUrl = b.url.endsWith("/") ? b.url : b.url + "/";
        this.password = b.password;
        this.connectTimeoutMillis = millis(b.connectTimeout);
        this.readTimeoutMillis = millis(b.readTimeout);
        this.sslSocketFactory = b.sslSocketFactory;
        this.hostnameVerifier = b.hostnameVerifier;
        this.proxy = b.proxy;
        this.userAgent = "watchtower-java/" + VERSION;
    }

    /**
     * Starts building a client; {@link Builder#url(String)} and {@link Builder#password(String)}
     * (the password or an API key's secret) are required.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** The server's base URL, ending with {@code /}. */
    public String getUrl() {
        return baseUrl;
    }

    // ------------------------------------------------------------------ services

    /**
     * Pulses: the service is alive and will pulse again within {@code nextIn}; if it does not, the
     * server alerts {@code alertTarget} by {@code alertType}. Creates the service on its first
     * pulse, and brings a dead one back up.
     *
     * @param service the service's name (1 to 255 printable characters)
     * @param nextIn the longest time until the next pulse: at least 0.1 seconds (100 ms), at most a
     *     year, fractions of a second allowed
     * @param alertType the alert channel (must be configured on the server)
     * @param alertTarget an e-mail address, a Pushover key, or the name of a configured webhook
     * @return the service after the pulse
     * @throws InvalidRequestException if the server rejects a field ({@link InvalidRequestException#getField()})
     * @throws WatchtowerException if the request fails otherwise
     */
    public Service pulse(String service, Duration nextIn, AlertType alertType, String alertTarget) {
        return pulse(Pulse.of(service, nextIn, alertType, alertTarget));
    }

    /**
     * Sends {@code pulse}, which may also set {@code remindEvery} and {@code dependsOn}, give a
     * cron {@code schedule} (and its {@code tz}) instead of {@code nextIn}, and add a
     * {@code grace}. A pulse replaces all of the service's settings: one without
     * {@code remindEvery}, {@code dependsOn}, {@code schedule} or {@code grace} clears them.
     *
     * @return the service after the pulse
     * @throws InvalidRequestException if the server rejects a field ({@link InvalidRequestException#getField()}),
     *     e.g. a schedule that is not a cron expression, or one that never comes (status 422),
     *     or an unknown {@code tz}
     * @throws WatchtowerException if the request fails otherwise
     */
    public Service pulse(Pulse pulse) {
        Objects.requireNonNull(pulse, "pulse");
        return send("POST", "", null, pulse.toJson(), true).decode(Service::fromJson);
    }

    /**
     * Declares a service before its first pulse:
     * {@code declare(Pulse.of(service, nextIn, alertType, alertTarget))}.
     *
     * @see #declare(Pulse)
     */
    public Service declare(String service, Duration nextIn, AlertType alertType, String alertTarget) {
        return declare(Pulse.of(service, nextIn, alertType, alertTarget));
    }

    /**
     * Declares {@code declaration}'s service without pulsing it, or changes how a monitored one is
     * watched. A service not yet monitored is watched from now, {@link ServiceStatus#NEW} and
     * {@linkplain Service#isNeverPulsed() never pulsed}: unless it pulses by its first deadline
     * (now + {@code nextIn}, or the schedule's next time, + grace), it dies and is alerted like any
     * death. A monitored service gets the declaration's settings, its deadline recounted from its
     * last pulse and its status kept; declaring it as it is changes nothing. Needs the
     * {@code write} or {@code admin} scope.
     *
     * <p>Sends {@code PUT /services/{name}} with the pulse's body, the name encoded as one path
     * segment. It is safe to repeat, so it is re-sent if the connection breaks before the answer
     * starts.
     *
     * @return the service as declared
     * @throws IllegalArgumentException if the service's name is empty
     * @throws InvalidRequestException if the server rejects a field ({@link InvalidRequestException#getField()})
     * @throws ForbiddenException if the client's credential may not write, or not to this service
     * @throws WatchtowerException if the request fails otherwise
     */
    public Service declare(Pulse declaration) {
        Objects.requireNonNull(declaration, "declaration");
        String path = "services/" + Wire.pathSegment(declaration.getService());
        return send("PUT", path, null, declaration.toJson(), true).decode(Service::fromJson);
    }

    /**
     * Stops monitoring {@code service}: it never alerts again, not even with an alert already
     * queued. Sends {@code DELETE /} with the body {@code {"service": …}}, once: it is never
     * re-sent behind your back.
     *
     * @return the removed service
     * @throws NotFoundException if the server has no such service
     * @throws WatchtowerException if the request fails otherwise
     */
    public Service cancel(String service) {
        Objects.requireNonNull(service, "service");
        Map<String, Object> body = Collections.<String, Object>singletonMap("service", service);
        return send("DELETE", "", null, body, false).decode(Service::fromJson);
    }

    /**
     * Pauses {@code service} (maintenance, a job switched off for a while): until it pulses again
     * or is {@linkplain #resume(String) resumed}, it neither dies nor alerts, and the alerts about
     * it not yet sent are dropped. Pausing a paused service answers it unchanged. Needs the
     * {@code write} or {@code admin} scope.
     *
     * <p>Sends {@code POST /services/{name}/pause} without a body, the name encoded as one path
     * segment (it may hold {@code /}, {@code ?}, {@code #}, spaces or any other character).
     * Pausing twice does no harm, so the request may be re-sent if the connection breaks before
     * the answer starts.
     *
     * @return the service, its {@linkplain Service#getStatus() status} {@link ServiceStatus#PAUSED}
     * @throws IllegalArgumentException if {@code service} is empty
     * @throws NotFoundException if the server has no such service
     * @throws ForbiddenException if the client's credential may not write, or not to this service
     * @throws WatchtowerException if the request fails otherwise
     */
    public Service pause(String service) {
        return postToService(service, "pause");
    }

    /**
     * Resumes the paused {@code service} with a fresh window from now: it is due again after its
     * {@code nextIn} (or at its schedule's next time) plus its grace, counted from the server's
     * receipt of the request. A service that is not paused is answered unchanged. A pulse also
     * ends a pause. Needs the {@code write} or {@code admin} scope.
     *
     * <p>Sends {@code POST /services/{name}/resume} without a body, the name encoded as one path
     * segment. Resuming twice does no harm, so the request may be re-sent if the connection breaks
     * before the answer starts.
     *
     * @return the service, its {@linkplain Service#getStatus() status} {@link ServiceStatus#UP} and
     *     its {@linkplain Service#getDeadline() deadline} moved if it was paused
     * @throws IllegalArgumentException if {@code service} is empty
     * @throws NotFoundException if the server has no such service
     * @throws ForbiddenException if the client's credential may not write, or not to this service
     * @throws WatchtowerException if the request fails otherwise
     */
    public Service resume(String service) {
        return postToService(service, "resume");
    }

    /** {@code POST /services/{service}/{action}} without a body: pause and resume, both idempotent. */
    private Service postToService(String service, String action) {
        Objects.requireNonNull(service, "service");
        String path = "services/" + Wire.pathSegment(service) + "/" + action;
        return send("POST", path, null, null, true).decode(Service::fromJson);
    }

    /**
     * Every monitored service, sorted by name.
     *
     * @throws WatchtowerException if the request fails
     */
    public List<Service> listServices() {
        return send("GET", "", null, null, true).decode(WatchtowerClient::serviceList);
    }

    /**
     * Every service matching {@code query}'s filters ({@link ServiceQuery#getPrefix() prefix},
     * {@link ServiceQuery#getStatuses() statuses}), sorted by name. Without a
     * {@linkplain ServiceQuery#getLimit() limit}, one request answers them all; with one, they are
     * fetched that many a request, following the server's cursors as {@link #services(ServiceQuery)}
     * does. A query with a {@linkplain ServiceQuery#getCursor() cursor} lists the services after it.
     * Needs a scope that may read; a key with a prefix sees only its services.
     *
     * <p>Sends {@code GET /?prefix=…&status=…} (and {@code limit}, {@code cursor} if given).
     *
     * <pre>{@code
     * List<Service> down = client.listServices(ServiceQuery.builder()
     *         .prefix("backup-").statuses(ServiceStatus.DEAD, ServiceStatus.LATE).build());
     * }</pre>
     *
     * @return the services, sorted by name; unmodifiable
     * @throws InvalidRequestException if the server rejects a parameter (e.g. a prefix over 255
     *     characters, a limit out of range or a malformed cursor, named by
     *     {@link InvalidRequestException#getField()})
     * @throws ForbiddenException if the client's credential may not read
     * @throws WatchtowerException if the request fails otherwise
     */
    public List<Service> listServices(ServiceQuery query) {
        Objects.requireNonNull(query, "query");
        if (query.getLimit() == null) {
            return send("GET", "", query.toQueryString(), null, true).decode(WatchtowerClient::serviceList);
        }
        List<Service> all = new ArrayList<>();
        for (Service service : services(query)) {
            all.add(service);
        }
        return Collections.unmodifiableList(all);
    }

    /**
     * One page of the services matching {@code query}, sorted by name: at most
     * {@link ServiceQuery#getLimit()} of them (every match without a limit). Follow
     * {@link ServicePage#nextQuery()} for the next page, or use {@link #services(ServiceQuery)} to
     * visit them all. Needs a scope that may read; a key with a prefix sees only its services.
     *
     * <p>Sends {@code GET /?prefix=…&status=…&limit=…&cursor=…}, each parameter only if given.
     *
     * @throws InvalidRequestException if the server rejects a parameter (e.g. {@code limit} or
     *     {@code cursor}, named by {@link InvalidRequestException#getField()})
     * @throws ForbiddenException if the client's credential may not read
     * @throws WatchtowerException if the request fails otherwise
     */
    public ServicePage listServicesPage(ServiceQuery query) {
        Objects.requireNonNull(query, "query");
        Response response = send("GET", "", query.toQueryString(), null, true);
        List<Service> services = response.decode(WatchtowerClient::serviceList);
        return new ServicePage(query, services, EventPage.nextCursor(response.headers("Link")));
    }

    /**
     * Every service matching {@code query}, fetched a page ({@link ServiceQuery#getLimit()}
     * services; all of them in one request without a limit) at a time as the iteration goes,
     * following the server's cursors: each matching service is visited once, sorted by name
     * (services created or removed meanwhile may or may not be visited). Each call of
     * {@code iterator()} starts again from the query's first page.
     *
     * <pre>{@code
     * for (Service service : client.services(ServiceQuery.builder().statuses(ServiceStatus.DEAD).limit(500).build())) {
     *     report(service);
     * }
     * }</pre>
     *
     * <p>The iterator's {@code hasNext()} and {@code next()} throw a {@link WatchtowerException} if
     * fetching a page fails.
     */
    public Iterable<Service> services(final ServiceQuery query) {
        Objects.requireNonNull(query, "query");
        return () -> new PageIterator<ServiceQuery, ServicePage, Service>(
                query, this::listServicesPage, ServicePage::nextQuery);
    }

    /** The answer of {@code GET /}: a JSON array of services, unmodifiable. */
    private static List<Service> serviceList(Object json) {
        List<Service> services = new ArrayList<>();
        for (Object item : Json.array(json, "services")) {
            services.add(Service.fromJson(item));
        }
        return Collections.unmodifiableList(services);
    }

    /**
     * Every service's uptime on each of the last 30 UTC days, oldest first, today (so far) last:
     * for uptime bars. A key with a prefix sees only its services. Needs a scope that may read.
     *
     * <p>Sends {@code GET /uptime}.
     *
     * @throws ForbiddenException if the client's credential may not read
     * @throws WatchtowerException if the request fails otherwise
     */
    public DailyUptime dailyUptime() {
        return send("GET", "uptime", null, null, true).decode(DailyUptime::fromJson);
    }

    /**
     * Explains the cron expression {@code schedule} in UTC, with its next 5 times:
     * {@code explainSchedule(schedule, null, null)}.
     *
     * @see #explainSchedule(String, String, Integer)
     */
    public ScheduleExplanation explainSchedule(String schedule) {
        return explainSchedule(schedule, null, null);
    }

    /**
     * Explains the cron expression {@code schedule} as a pulse's {@code schedule} would take it:
     * in words, with its next {@code count} times in the zone {@code tz}, to check a schedule before
     * a pulse gives it. Needs a scope that may read.
     *
     * <p>Sends {@code GET /schedule?schedule=…&tz=…&count=…}.
     *
     * <pre>{@code
     * ScheduleExplanation explained = client.explainSchedule("30 2 * * 1-5", "Europe/Berlin", 3);
     * explained.getDescription();   // "At 02:30, on Monday, Tuesday, Wednesday, Thursday, and Friday."
     * explained.getNext();          // [2026-12-04T01:30:00Z, 2026-12-07T01:30:00Z, 2026-12-08T01:30:00Z]
     * }</pre>
     *
     * @param schedule five fields (minute, hour, day of month, month, day of week) or a macro such
     *     as {@code "@hourly"}
     * @param tz an IANA time zone such as {@code "Europe/Berlin"}; {@code null}: UTC
     * @param count how many next times, 1 to 20; {@code null}: 5
     * @throws InvalidRequestException if the server rejects a parameter:
     *     {@link InvalidRequestException#getField()} is {@code "schedule"} (status 400 for what is
     *     not a cron expression, 422 for one that never comes), {@code "tz"} or {@code "count"}
     * @throws ForbiddenException if the client's credential may not read
     * @throws WatchtowerException if the request fails otherwise
     */
    public ScheduleExplanation explainSchedule(String schedule, String tz, Integer count) {
        return send("GET", "schedule", ScheduleExplanation.query(schedule, tz, count), null, true)
                .decode(ScheduleExplanation::fromJson);
    }

    // ------------------------------------------------------------------ runs and ping history

    /**
     * Starts a run of the monitored {@code service} with its own settings: pulses it (so that a
     * run that hangs is missed at its deadline) and marks it running, until its next pulse, which
     * ends the run, or {@link #fail(String, String) fail}. The ping history times the run. Needs a
     * scope that may ingest.
     *
     * <p>Sends {@code POST /services/{name}/start} without a body, the name encoded as one path
     * segment. Like a pulse, it may be re-sent if the connection breaks before the answer starts.
     *
     * @return the service, its {@link Service#getRunningSince()} set
     * @throws IllegalArgumentException if {@code service} is empty
     * @throws NotFoundException if the service is not monitored (pulse or declare it first, or use
     *     {@link #start(Pulse)})
     * @throws ForbiddenException if the client's credential may not ingest, or not to this service
     * @throws WatchtowerException if the request fails otherwise
     */
    public Service start(String service) {
        return send("POST", Runs.path(service, "start"), null, null, true).decode(Service::fromJson);
    }

    /**
     * Starts a run of {@code pulse}'s service: pulses it with {@code pulse}'s settings, as
     * {@link #pulse(Pulse)} does (creating it if it is not monitored yet), and marks it running
     * until its next pulse or {@link #fail(String, String) fail}. Needs a scope that may ingest.
     *
     * <p>Sends {@code POST /services/{name}/start} with the pulse's body. Like a pulse, it may be
     * re-sent if the connection breaks before the answer starts.
     *
     * @return the service, its {@link Service#getRunningSince()} set
     * @throws IllegalArgumentException if the service's name is empty
     * @throws InvalidRequestException if the server rejects a field ({@link InvalidRequestException#getField()})
     * @throws ForbiddenException if the client's credential may not ingest, or not to this service
     * @throws WatchtowerException if the request fails otherwise
     */
    public Service start(Pulse pulse) {
        Objects.requireNonNull(pulse, "pulse");
        return send("POST", Runs.path(pulse.getService(), "start"), null, pulse.toJson(), true)
                .decode(Service::fromJson);
    }

    /**
     * Reports that a run of {@code service} failed, without saying how: the server records
     * {@code "run failed"}. See {@link #fail(String, String)}.
     */
    public Service fail(String service) {
        return send("POST", Runs.path(service, "fail"), null, null, false).decode(Service::fromJson);
    }

    /**
     * Reports that a run of the monitored {@code service} failed: {@code message} becomes an
     * {@code error} event and the body of a {@code "fail"} ping, and the service is dead at once,
     * alerted as a missed deadline is. A service already dead, or paused, is answered as it is.
     * Needs a scope that may ingest.
     *
     * <p>Sends {@code POST /services/{name}/fail} with {@code {"message": …}}, once: it is never
     * re-sent behind your back, since a second one would record the event twice.
     *
     * @param message what failed, e.g. the exit status and the last lines of output (1 byte to
     *     64 KiB)
     * @return the service, {@link ServiceStatus#DEAD}
     * @throws IllegalArgumentException if {@code service} is empty
     * @throws NotFoundException if the service is not monitored
     * @throws InvalidRequestException if the server rejects the message
     * @throws ForbiddenException if the client's credential may not ingest, or not to this service
     * @throws WatchtowerException if the request fails otherwise
     */
    public Service fail(String service, String message) {
        return send("POST", Runs.path(service, "fail"), null, Runs.failBody(message), false).decode(Service::fromJson);
    }

    /**
     * The ping history of {@code service}, newest first: all the pings the server keeps (the last
     * 100 per service unless its {@code pingHistory} says otherwise). See {@link #pings(String, int)}.
     */
    public List<Ping> pings(String service) {
        return send("GET", Runs.path(service, "pings"), null, null, true).decode(Runs::pings);
    }

    /**
     * The latest {@code limit} pings of {@code service}, newest first: every pulse, start, failure
     * and log it sent, whichever way it came in, with the client's address and user agent, the
     * first KiB of the body, and a finished run's duration. Identical plain pulses within 60 seconds
     * of an entry's first are folded into it ({@link Ping#getCount()}, {@link Ping#getLastDate()}).
     * Needs a scope that may read.
     *
     * <p>Sends {@code GET /services/{name}/pings?limit=…}, the name encoded as one path segment.
     *
     * @param limit at most this many, from 1 to 10000
     * @return the pings, newest first; unmodifiable
     * @throws IllegalArgumentException if {@code service} is empty
     * @throws NotFoundException if the server has no such service
     * @throws InvalidRequestException if the server rejects the limit ({@code getField()} is
     *     {@code "limit"})
     * @throws ForbiddenException if the client's credential may not read, or not this service
     * @throws WatchtowerException if the request fails otherwise
     */
    public List<Ping> pings(String service, int limit) {
        return send("GET", Runs.path(service, "pings"), Runs.pingsQuery(limit), null, true).decode(Runs::pings);
    }

    /**
     * Starts configuring a {@link Heartbeat} that sends {@code pulse} in the background until
     * stopped.
     *
     * <pre>{@code
     * try (Heartbeat heartbeat = client.heartbeat(Pulse.of("worker", Duration.ofMinutes(2), AlertType.WEBHOOK, "ops"))
     *         .every(Duration.ofSeconds(30))
     *         .cancelOnStop(true)
     *         .start()) {
     *     runTheWorker();
     * } // stops pulsing, then cancels the service
     * }</pre>
     *
     * @throws IllegalArgumentException if {@code pulse} has a {@code schedule}: a heartbeat needs
     *     a {@code nextIn}
     */
    public Heartbeat.Builder heartbeat(Pulse pulse) {
        return new Heartbeat.Builder(this, pulse);
    }

    // ------------------------------------------------------------------ test alerts

    /**
     * Sends a test alert through {@code alertType} to {@code alertTarget}:
     * {@code testAlert(alertType.wireName(), alertTarget)}.
     *
     * @see #testAlert(String, String)
     */
    public List<Delivery> testAlert(AlertType alertType, String alertTarget) {
        Objects.requireNonNull(alertType, "alertType");
        return testAlert(alertType.wireName(), alertTarget);
    }

    /**
     * Sends a test message now through {@code alertType} to {@code alertTarget} — or, when
     * {@code alertType} is {@code "route"}, through each channel of the route {@code alertTarget}
     * — to check that alerts arrive before an outage finds out they do not. The message says it
     * is a test, who asked, and that nothing is down; a webhook receives {@code "kind": "test"}
     * and {@code "service": "watchtower"}. Needs the {@code write} or {@code admin} scope.
     *
     * <p>Sends {@code POST /test-alert} once, never re-sent behind your back (nor by the server,
     * which never queues or retries a test alert): a failure says what the channel said.
     *
     * <pre>{@code
     * for (Delivery delivery : client.testAlert("route", "oncall")) {
     *     System.out.println("delivered to " + delivery);   // webhook:ops, mail:ops@example.com
     * }
     * }</pre>
     *
     * @param alertType a channel configured on the server ({@code "webhook"}, {@code "mail"}…),
     *     or {@code "route"}
     * @param alertTarget what a pulse would alert: an e-mail address, the name of a configured
     *     webhook or route…
     * @return the channels that took it, a route's in its order; unmodifiable
     * @throws ServerUnavailableException with {@linkplain WatchtowerException#getStatus() status}
     *     {@code 502} if a channel refused it or could not be reached:
     *     {@link WatchtowerException#getServerMessage()} is the server's message naming each such
     *     channel and its error ({@code "alertTarget: not delivered: webhook ops: transient: HTTP
     *     503 …"}); with a route, the other channels did get it
     * @throws InvalidRequestException if the server cannot alert that target:
     *     {@link InvalidRequestException#getField()} is {@code "alertType"} for a channel it has
     *     not configured, {@code "alertTarget"} for an unknown webhook or route name
     * @throws ForbiddenException if the client's credential may not write
     * @throws WatchtowerException if the request fails otherwise
     */
    public List<Delivery> testAlert(String alertType, String alertTarget) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("alertType", Objects.requireNonNull(alertType, "alertType"));
        body.put("alertTarget", Objects.requireNonNull(alertTarget, "alertTarget"));
        return send("POST", "test-alert", null, body, false).decode(json -> {
            List<Delivery> delivered = new ArrayList<>();
            for (Object item : Json.Fields.of(json, "answer").array("delivered")) {
                delivered.add(Delivery.fromJson(item));
            }
            return Collections.unmodifiableList(delivered);
        });
    }

    /**
     * What the server can alert: its channels, each with what it takes as {@code alertTarget} (one
     * of the names of its webhooks or routes, an e-mail address, or text matching a pattern), its
     * routes with their steps, and its ping keys by name with what they may ping. Never a URL, a
     * token, a password or a key. Needs a scope that may read.
     *
     * <p>Sends {@code GET /channels}.
     *
     * @throws ForbiddenException if the client's credential may not read
     * @throws WatchtowerException if the request fails otherwise
     */
    public Channels channels() {
        return send("GET", "channels", null, null, true).decode(Channels::fromJson);
    }

    // ------------------------------------------------------------------ alert history

    /**
     * The newest 100 alerts, as they fared: {@code listAlerts(AlertQuery.all())}.
     *
     * @see #listAlerts(AlertQuery)
     */
    public List<AlertRecord> listAlerts() {
        return listAlerts(AlertQuery.all());
    }

    /**
     * The alerts matching {@code query}, newest first, as they fared: sent, pending a retry and
     * why, given up, or kept back by the policy; to see why an alert did (or did not) arrive, and
     * which channel is in trouble. An alert to a route is listed once for the route and once per
     * channel, each channel's with {@link AlertRecord#getFannedFrom()}. Needs a scope that may
     * read; a key with a prefix sees only its services' alerts.
     *
     * <pre>{@code
     * for (AlertRecord alert : client.listAlerts(AlertQuery.builder().state(AlertQuery.FAILING).build())) {
     *     System.out.println(alert.getService() + " " + alert.getAlertType() + ":" + alert.getAlertTarget()
     *             + " " + alert.getAttempts() + " " + alert.getLastError().orElse(""));
     * }
     * }</pre>
     *
     * @return the alerts, newest first; unmodifiable
     * @throws InvalidRequestException if the server rejects a parameter, e.g. an unknown state or
     *     a limit out of range ({@link InvalidRequestException#getField()} is {@code "state"} or
     *     {@code "limit"})
     * @throws ForbiddenException if the client's credential may not read, or not this service
     * @throws WatchtowerException if the request fails otherwise
     */
    public List<AlertRecord> listAlerts(AlertQuery query) {
        Objects.requireNonNull(query, "query");
        return send("GET", "alerts", query.toQueryString(), null, true).decode(json -> {
            List<AlertRecord> alerts = new ArrayList<>();
            for (Object item : Json.array(json, "alerts")) {
                alerts.add(AlertRecord.fromJson(item));
            }
            return Collections.unmodifiableList(alerts);
        });
    }

    // ------------------------------------------------------------------ events

    /**
     * Records an event; the server stamps it with the date it received it.
     *
     * <p>The request is sent once, never re-sent behind your back: if the connection breaks, a
     * {@link ServerUnavailableException} says so, and the event may or may not have been stored.
     *
     * @param service the service it is about
     * @param level its level
     * @param message its text: 1 byte to 64 KiB, without NUL characters
     * @return the stored event, with its id and date
     * @throws InvalidRequestException if the server rejects a field
     * @throws WatchtowerException if the request fails otherwise
     */
    public Event addEvent(String service, Level level, String message) {
        return addEvent(service, level, message, null);
    }

    /**
     * Records an event with attributes: names to strings, numbers or booleans, for what a message
     * alone tells badly (the host, a status code, a request id), which
     * {@link EventQuery.Builder#attribute(String, Object)} then filters on. The server stamps the
     * event with the date it received it.
     *
     * <pre>{@code
     * Map<String, Object> attributes = new LinkedHashMap<>();
     * attributes.put("host", "web-1");
     * attributes.put("status", 503);
     * attributes.put("retry", true);
     * Event event = client.addEvent("web", Level.ERROR, "upstream failed", attributes);
     * event.getAttributes();   // {host=web-1, retry=true, status=503}: sorted by name, 503 a Long
     * }</pre>
     *
     * <p>The request is sent once, never re-sent behind your back: if the connection breaks, a
     * {@link ServerUnavailableException} says so, and the event may or may not have been stored.
     *
     * @param service the service it is about
     * @param level its level
     * @param message its text: 1 byte to 64 KiB, without NUL characters
     * @param attributes at most 32 names of 1 to 128 characters (no control characters), each to a
     *     {@link String} (no NUL), a {@link Number} (an integer type, {@code BigInteger},
     *     {@code Float}, {@code Double} or {@code BigDecimal}; finite) or a {@link Boolean}; at
     *     most 4096 bytes as JSON. {@code null} or empty: none. A {@code Double} comes back a
     *     {@code Double}, an integer a {@code Long} ({@link Event#getAttributes()}).
     * @return the stored event, with its id, date and attributes
     * @throws IllegalArgumentException if an attribute's value is {@code null} or of another type
     *     (nothing is sent)
     * @throws InvalidRequestException if the server rejects a field: {@code "attributes"}
     *     ({@link InvalidRequestException#getField()}) with status 400 for too many names or a bad
     *     name, 422 for more than 4096 bytes
     * @throws WatchtowerException if the request fails otherwise
     */
    public Event addEvent(String service, Level level, String message, Map<String, ?> attributes) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("service", Objects.requireNonNull(service, "service"));
        body.put("level", Objects.requireNonNull(level, "level").wireName());
        body.put("message", Objects.requireNonNull(message, "message"));
        if (attributes != null && !attributes.isEmpty()) {
            body.put("attributes", Attributes.toJson(Attributes.checked(attributes)));
        }
        return send("POST", "add-event", null, body, false).decode(Event::fromJson);
    }

    /**
     * One page of the events matching {@code query}. Follow {@link EventPage#nextQuery()} for the
     * next page, or use {@link #events(EventQuery)} to visit them all.
     *
     * @throws InvalidRequestException if the server rejects a parameter (e.g. {@code limit} or
     *     {@code cursor}, named by {@link InvalidRequestException#getField()}; {@code query} for
     *     an attribute filter whose name is empty, too long or holds a control character)
     * @throws WatchtowerException if the request fails otherwise
     */
    public EventPage listEvents(EventQuery query) {
        Objects.requireNonNull(query, "query");
        Response response = send("GET", "list-events", query.toQueryString(), null, true);
        List<Event> events = response.decode(json -> {
            List<Event> list = new ArrayList<>();
            for (Object item : Json.array(json, "events")) {
                list.add(Event.fromJson(item));
            }
            return list;
        });
        return new EventPage(query, events, EventPage.nextCursor(response.headers("Link")));
    }

    /**
     * Every event matching {@code query}, fetched a page ({@link EventQuery#getLimit()} events)
     * at a time as the iteration goes, following the server's cursors: each matching event is
     * visited exactly once, in order, even while new events arrive. Each call of
     * {@code iterator()} starts again from the query's first page.
     *
     * <pre>{@code
     * for (Event event : client.events(EventQuery.builder().service("backup").order(EventQuery.Order.ASC).build())) {
     *     archive(event);
     * }
     * }</pre>
     *
     * <p>The iterator's {@code hasNext()} and {@code next()} throw a {@link WatchtowerException} if
     * fetching a page fails.
     */
    public Iterable<Event> events(final EventQuery query) {
        Objects.requireNonNull(query, "query");
        return () -> new PageIterator<EventQuery, EventPage, Event>(query, this::listEvents, EventPage::nextQuery);
    }

    /**
     * The items of the pages from the query {@code first} on, a page fetched (by {@code fetch})
     * only when the previous one is used up, following each page's {@code next} query.
     */
    private static final class PageIterator<Q, P extends Iterable<T>, T> implements Iterator<T> {
        private final Function<Q, P> fetch;
        private final Function<P, Optional<Q>> next;
        private Q nextQuery;
        private Iterator<T> current = Collections.<T>emptyList().iterator();

        PageIterator(Q first, Function<Q, P> fetch, Function<P, Optional<Q>> next) {
            this.nextQuery = first;
            this.fetch = fetch;
            this.next = next;
        }

        @Override
        public boolean hasNext() {
            while (!current.hasNext() && nextQuery != null) {
                P page = fetch.apply(nextQuery);
                current = page.iterator();
                nextQuery = next.apply(page).orElse(null);
            }
            return current.hasNext();
        }

        @Override
        public T next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return current.next();
        }
    }

    // ------------------------------------------------------------------ API keys

    /**
     * Creates an API key without a prefix or an expiry: {@code createKey(name, scope, null, null)}.
     *
     * @see #createKey(String, String, String, String)
     */
    public CreatedKey createKey(String name, String scope) {
        return createKey(name, scope, null, null);
    }

    /**
     * Creates an API key, and answers it with its secret, which the server never shows again. Give
     * the secret to {@link Builder#password(String)} in place of the password to act as the key.
     * Needs the {@code admin} scope (the password has it).
     *
     * <p>The request is sent once, never re-sent behind your back: a second one would be refused
     * ({@code 409}) and the first one's secret lost.
     *
     * @param name the key's name: 1 to 64 letters, digits, {@code -}, {@code _} or {@code .},
     *     unique among the live keys (a revoked key's name may be reused)
     * @param scope what it may do: {@code "read"} (every {@code GET}), {@code "ingest"} (pulses
     *     and events only, no reads), {@code "write"} (ingest, reads, cancels and snoozes) or
     *     {@code "admin"} (everything, keys included)
     * @param prefix if not {@code null}, the key may touch only the services whose names start
     *     with it
     * @param expiresIn if not {@code null}, how long it works: a number and a unit of {@code ms},
     *     {@code s}, {@code m}, {@code h} or {@code d}, e.g. {@code "90d"}; {@code null}: until
     *     revoked
     * @return the key and its secret
     * @throws InvalidRequestException if the server rejects a field, e.g. an unknown scope
     *     ({@link InvalidRequestException#getField()} is {@code "scope"})
     * @throws ForbiddenException if the client's credential is not {@code admin}
     * @throws WatchtowerException if a live key has this name ({@link WatchtowerException#getStatus()}
     *     is {@code 409}), or if the request fails otherwise
     */
    public CreatedKey createKey(String name, String scope, String prefix, String expiresIn) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", Objects.requireNonNull(name, "name"));
        body.put("scope", Objects.requireNonNull(scope, "scope"));
        if (prefix != null) {
            body.put("prefix", prefix);
        }
        if (expiresIn != null) {
            body.put("expiresIn", expiresIn);
        }
        return send("POST", "keys", null, body, false).decode(CreatedKey::fromJson);
    }

    /**
     * Every API key, live and revoked, sorted by name; never their secrets. Needs the
     * {@code admin} scope.
     *
     * @throws ForbiddenException if the client's credential is not {@code admin}
     * @throws WatchtowerException if the request fails otherwise
     */
    public List<ApiKey> listKeys() {
        return send("GET", "keys", null, null, true).decode(json -> {
            List<ApiKey> keys = new ArrayList<>();
            for (Object item : Json.array(json, "keys")) {
                keys.add(ApiKey.fromJson(item));
            }
            return Collections.unmodifiableList(keys);
        });
    }

    /**
     * Revokes the live API key {@code name}: the server refuses it within about a second (with
     * {@code 401}, an {@link AuthenticationException}). Needs the {@code admin} scope.
     *
     * @return the revoked key, its {@link ApiKey#getRevoked()} set
     * @throws NotFoundException if no live key has this name (none ever did, or it is already
     *     revoked)
     * @throws ForbiddenException if the client's credential is not {@code admin}
     * @throws WatchtowerException if the request fails otherwise
     */
    public ApiKey revokeKey(String name) {
        Objects.requireNonNull(name, "name");
        return send("DELETE", "keys/" + Wire.pathSegment(name), null, null, false).decode(ApiKey::fromJson);
    }

    /**
     * Who the client's credential is, and what it may do: the password, or an API key with its
     * scope and prefix. Any valid credential may ask.
     *
     * @throws AuthenticationException if the credential is wrong, expired or revoked
     * @throws WatchtowerException if the request fails otherwise
     */
    public Identity whoami() {
        return send("GET", "whoami", null, null, true).decode(Identity::fromJson);
    }

    // ------------------------------------------------------------------ HTTP

    /** An answer, whatever its status. */
    private static final class Response {
        final String method;
        final URL url;
        final int status;
        final String body;
        final Map<String, List<String>> headers;

        Response(String method, URL url, int status, String body, Map<String, List<String>> headers) {
            this.method = method;
            this.url = url;
            this.status = status;
            this.body = body;
            this.headers = headers;
        }

        /** The answer's JSON body, converted by {@code decoder}. */
        <T> T decode(Function<Object, T> decoder) {
            try {
                return decoder.apply(Json.parse(body));
            } catch (RuntimeException e) { // malformed JSON, a missing field, a bad date...
                throw new WatchtowerException("unexpected answer to " + method + " " + url + ": " + e.getMessage(),
                        status, null, e);
            }
        }

        /** The values of the header {@code name}, whatever its case. */
        List<String> headers(String name) {
            List<String> values = new ArrayList<>();
            for (Map.Entry<String, List<String>> entry : headers.entrySet()) {
                if (entry.getKey() != null && entry.getKey().equalsIgnoreCase(name)) {
                    values.addAll(entry.getValue());
                }
            }
            return values;
        }
    }

    /**
     * Sends one request and returns its successful answer, or throws the error it maps to.
     *
     * @param repeatable whether sending the request twice does no harm. {@code HttpURLConnection}
     *     silently re-sends a buffered request once if the connection breaks before the answer
     *     starts; a request that is not repeatable and has a body is therefore written in streaming
     *     mode, which it never re-sends; so is a {@code POST} without a body that is not
     *     repeatable, as an empty body. (A GET, without a body, is always repeatable.)
     */
    private Response send(String method, String path, String query, Object body, boolean repeatable) {
        URL url;
        try {
            url = new URL(baseUrl + path + (query == null || query.isEmpty() ? "" : "?" + query));
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("invalid URL: " + e.getMessage(), e);
        }
        byte[] bytes = body == null ? null : Json.write(body).getBytes(StandardCharsets.UTF_8);
        try {
            // A POST without a body is streamed too (an empty one), so that it is not re-sent.
            boolean streaming = !repeatable && (bytes != null || method.equals("POST"));
            Response response = exchange(method, url, bytes, streaming);
            if (response.status == 401 && streaming) {
                // In streaming mode HttpURLConnection drops the body of a 401, the server's reason.
                // The server did nothing with the request, so asking again (buffered) is safe.
                response = exchange(method, url, bytes, false);
            }
            if (response.status >= 200 && response.status < 300) {
                return response;
            }
            throw errorFor(method, url, response.status, response.body);
        } catch (SocketTimeoutException e) {
            throw new ServerUnavailableException(method + " " + url + " timed out: " + e.getMessage(), 0, null, e, true);
        } catch (SSLHandshakeException | SSLPeerUnverifiedException e) {
            throw new WatchtowerException("TLS handshake with " + url.getHost() + " failed (is its certificate trusted?"
                    + " see WatchtowerClient.Builder#trustCertificate): " + e.getMessage(), 0, null, e);
        } catch (IOException e) {
            throw new ServerUnavailableException("cannot reach " + url + ": " + e, 0, null, e, false);
        }
    }

    /** One HTTP exchange: the answer, whatever its status. */
    private Response exchange(String method, URL url, byte[] body, boolean streaming) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) (proxy == null ? url.openConnection() : url.openConnection(proxy));
        try {
            connection.setConnectTimeout(connectTimeoutMillis);
            connection.setReadTimeout(readTimeoutMillis);
            connection.setUseCaches(false);
            connection.setInstanceFollowRedirects(false);
            if (connection instanceof HttpsURLConnection) {
                HttpsURLConnection https = (HttpsURLConnection) connection;
                if (sslSocketFactory != null) {
                    https.setSSLSocketFactory(sslSocketFactory);
                }
                if (hostnameVerifier != null) {
                    https.setHostnameVerifier(hostnameVerifier);
                }
            }
            connection.setRequestMethod(method);
            connection.setRequestProperty("password", password);
            connection.setRequestProperty("Accept", "application/json");
            connection.setRequestProperty("User-Agent", userAgent);
            if (body == null && method.equals("POST")) {
                // A POST without a body still says "Content-Length: 0" (RFC 9110 section 8.6;
                // some proxies refuse a POST without it, 411). HttpURLConnection sends it only for
                // a body written, even an empty one; it then labels the empty body
                // application/x-www-form-urlencoded, which the server ignores.
                connection.setDoOutput(true);
                if (streaming) {
                    connection.setFixedLengthStreamingMode(0);
                }
                connection.getOutputStream().close();
            }
            if (body != null) {
                connection.setRequestProperty("Content-Type", "application/json; charset=utf-8");
                // doOutput allows a body on DELETE too: since Java 8, HttpURLConnection refuses
                // one only on TRACE.
                connection.setDoOutput(true);
                if (streaming) {
                    connection.setFixedLengthStreamingMode(body.length);
                }
                try (OutputStream out = connection.getOutputStream()) {
                    out.write(body);
                }
            }
            int status;
            try {
                status = connection.getResponseCode();
            } catch (HttpRetryException e) {
                if (e.responseCode() != 401) {
                    throw e;
                }
                connection.disconnect();
                return new Response(method, url, 401, "", Collections.<String, List<String>>emptyMap());
            }
            // Reading the whole answer lets HttpURLConnection reuse the connection.
            InputStream stream = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
            String text = stream == null ? "" : readAll(stream);
            return new Response(method, url, status, text, connection.getHeaderFields());
        } catch (IOException | RuntimeException e) {
            connection.disconnect();
            throw e;
        }
    }

    /** How long one request may take at most, in milliseconds, given the timeouts. */
    long longestRequestMillis() {
        if (connectTimeoutMillis == 0 || readTimeoutMillis == 0) {
            return Long.MAX_VALUE;
        }
        // The read timeout applies to each read, the connect timeout to each address tried:
        // leave room beyond their sum.
        return 2L * (connectTimeoutMillis + readTimeoutMillis) + 1000;
    }

    private static WatchtowerException errorFor(String method, URL url, int status, String text) {
        String serverMessage = null;
        try {
            Object json = Json.parse(text);
            if (json instanceof Map && ((Map<?, ?>) json).get("error") instanceof String) {
                serverMessage = (String) ((Map<?, ?>) json).get("error");
            }
        } catch (IllegalArgumentException notJson) {
            // e.g. a proxy's HTML page: quote its start below
        }
        String detail = serverMessage != null ? serverMessage
                : text.trim().isEmpty() ? "(no message)"
                : text.trim().length() > 200 ? text.trim().substring(0, 200) + "..." : text.trim();
        String message = method + " " + url + " answered " + status + ": " + detail;
        switch (status) {
            case 400:
            case 422:
                return new InvalidRequestException(message, status, serverMessage);
            case 401:
                return new AuthenticationException(message, serverMessage);
            case 403:
                return new ForbiddenException(message, serverMessage);
            case 404:
                return new NotFoundException(message, serverMessage);
            default:
                if (status >= 500) {
                    return new ServerUnavailableException(message, status, serverMessage, null, false);
                }
                return new WatchtowerException(message, status, serverMessage, null);
        }
    }

    private static String readAll(InputStream stream) throws IOException {
        try (InputStream in = stream) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) != -1) {
                out.write(buffer, 0, n);
            }
            return new String(out.toByteArray(), StandardCharsets.UTF_8);
        }
    }

    private static int millis(Duration timeout) {
        if (timeout.isZero()) {
            return 0;
        }
        long millis = timeout.toMillis();
        if (millis == 0) {
            return 1; // less than a millisecond, but not "no timeout"
        }
        return (int) Math.min(millis, Integer.MAX_VALUE);
    }

    @Override
    public String toString() {
        return "WatchtowerClient{" + baseUrl + "}";
    }

    // ------------------------------------------------------------------ builder

    /**
     * Configures a {@link WatchtowerClient}.
     *
     * <pre>{@code
     * WatchtowerClient client = WatchtowerClient.builder()
     *         .url("https://127.0.0.1:8443")
     *         .password("…")
     *         .connectTimeout(Duration.ofSeconds(5))
     *         .readTimeout(Duration.ofSeconds(10))
     *         .trustCertificate(Paths.get("config/server.crt"))   // a self-signed server
     *         .build();
     * }</pre>
     */
    public static final class Builder {
        private String url;
        private String password;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration readTimeout = DEFAULT_READ_TIMEOUT;
        private SSLSocketFactory sslSocketFactory;
        private HostnameVerifier hostnameVerifier;
        private Proxy proxy;
        private final List<Certificate> trusted = new ArrayList<>();

        private Builder() {}

        /**
         * The server's base URL, {@code http://} or {@code https://}, e.g.
         * {@code "http://127.0.0.1:8080"}; a path (for a server behind a reverse proxy) is kept.
         * Required.
         */
        public Builder url(String url) {
            Objects.requireNonNull(url, "url");
            try {
                String protocol = new URL(url).getProtocol();
                if (!protocol.equals("http") && !protocol.equals("https")) {
                    throw new IllegalArgumentException("url must be http:// or https://, not " + url);
                }
            } catch (MalformedURLException e) {
                throw new IllegalArgumentException("invalid url " + url + ": " + e.getMessage(), e);
            }
            if (url.contains("?") || url.contains("#")) {
                throw new IllegalArgumentException("url must not have a query or a fragment: " + url);
            }
            this.url = url;
            return this;
        }

        /**
         * The API password, or an API key's secret ({@code wtk_…}, see
         * {@link WatchtowerClient#createKey(String, String, String, String)}), sent in the
         * {@code password} header of every request. Required. A key limits the client to its
         * scope and prefix.
         */
        public Builder password(String password) {
            this.password = Objects.requireNonNull(password, "password");
            return this;
        }

        /**
         * How long to wait for the connection to open (default 10 s); {@link Duration#ZERO}: no limit.
         * A timeout throws a {@link ServerUnavailableException} whose {@code isTimeout()} is true.
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = checkTimeout(timeout, "connectTimeout");
            return this;
        }

        /**
         * How long to wait for the answer once connected (default 30 s); {@link Duration#ZERO}: no
         * limit. A timeout throws a {@link ServerUnavailableException} whose {@code isTimeout()}
         * is true.
         */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = checkTimeout(timeout, "readTimeout");
            return this;
        }

        /**
         * Trusts the certificate(s) in the PEM file {@code pem} for HTTPS: the server's own
         * self-signed certificate, or the CA that signed it. Once any certificate is given, the
         * client trusts only the given ones (not the system's CAs). May be called several times.
         * The server's name must still match the certificate (e.g. its {@code subjectAltName}
         * must list {@code IP:127.0.0.1} to connect to {@code https://127.0.0.1}).
         *
         * @throws UncheckedIOException if the file cannot be read
         * @throws IllegalArgumentException if it holds no certificate
         */
        public Builder trustCertificate(Path pem) {
            Objects.requireNonNull(pem, "pem");
            try (InputStream in = Files.newInputStream(pem)) {
                Collection<? extends Certificate> certificates =
                        CertificateFactory.getInstance("X.509").generateCertificates(in);
                if (certificates.isEmpty()) {
                    throw new IllegalArgumentException(pem + " holds no certificate");
                }
                trusted.addAll(certificates);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + pem + ": " + e.getMessage(), e);
            } catch (CertificateException e) {
                throw new IllegalArgumentException(pem + " is not a PEM certificate: " + e.getMessage(), e);
            }
            return this;
        }

        /**
         * The socket factory for HTTPS connections, e.g. from an {@link SSLContext} of your own
         * (client certificates, a trust store). Overrides {@link #trustCertificate(Path)}.
         */
        public Builder sslSocketFactory(SSLSocketFactory factory) {
            this.sslSocketFactory = factory;
            return this;
        }

        /**
         * The verifier of the server's host name for HTTPS (default: the JDK's, which checks the
         * certificate's names). Replace it only if you know why.
         */
        public Builder hostnameVerifier(HostnameVerifier verifier) {
            this.hostnameVerifier = verifier;
            return this;
        }

        /** A proxy to connect through (default: the JVM's proxy settings). */
        public Builder proxy(Proxy proxy) {
            this.proxy = proxy;
            return this;
        }

        /**
         * The client.
         *
         * @throws IllegalStateException if the url or the password is missing
         */
        public WatchtowerClient build() {
            if (url == null) {
                throw new IllegalStateException("url is required");
            }
            if (password == null) {
                throw new IllegalStateException("password is required");
            }
            if (sslSocketFactory == null && !trusted.isEmpty()) {
                sslSocketFactory = trusting(trusted);
            }
            return new WatchtowerClient(this);
        }

        private static SSLSocketFactory trusting(List<Certificate> certificates) {
            try {
                KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
                int i = 0;
                for (Certificate certificate : certificates) {
                    store.setCertificateEntry("watchtower-" + i++, certificate);
                }
                TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                factory.init(store);
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, factory.getTrustManagers(), null);
                return context.getSocketFactory();
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException("cannot build a TLS context: " + e.getMessage(), e);
            }
        }

        private static Duration checkTimeout(Duration timeout, String name) {
            Objects.requireNonNull(timeout, name);
            if (timeout.isNegative()) {
                throw new IllegalArgumentException(name + " must not be negative: " + timeout);
            }
            return timeout;
        }
    }
}

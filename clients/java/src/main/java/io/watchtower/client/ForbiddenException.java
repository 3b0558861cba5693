package io.watchtower.client;

/**
 * The server answered {@code 403}: the credential is valid, but its scope or its prefix does not
 * allow the request, e.g. a {@code read} API key pulsing, an {@code ingest} key listing services,
 * or a key limited to the prefix {@code team-a-} pulsing {@code team-b-db}. The server's message
 * says why, e.g. {@code "scope: key `ci` has scope `read`; POST / needs ingest, write or admin"}.
 *
 * <p>Unlike an {@link AuthenticationException}, retrying with the same credential never helps:
 * use a key whose scope allows the request (see {@link WatchtowerClient#whoami()}).
 */
public class ForbiddenException extends WatchtowerException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message the exception's message
     * @param serverMessage the server's {@code error} text, or {@code null}
     */
    public ForbiddenException(String message, String serverMessage) {
        super(message, 403, serverMessage, null);
    }
}

package io.watchtower.client;

/**
 * The server answered {@code 401}: the {@code password} header is missing or wrong, or holds an
 * API key that has expired or been revoked. (A valid credential that may not make the request
 * gets a {@link ForbiddenException} instead.)
 */
public class AuthenticationException extends WatchtowerException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message the exception's message
     * @param serverMessage the server's {@code error} text, or {@code null}
     */
    public AuthenticationException(String message, String serverMessage) {
        super(message, 401, serverMessage, null);
    }
}

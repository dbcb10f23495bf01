package io.atoll.platform.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.PrintWriter;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The last word on error bodies: a handler that sets an error status and writes nothing (the
 * actuator's 404 for an unknown metric) gets a problem+json body here. A {@code sendError} is
 * left to the container, which forwards it to {@code /error} (shared-model's
 * {@code io.atoll.web.problem.ProblemErrorController}).
 */
class ProblemFallbackFilter extends OncePerRequestFilter {

    private final ProblemWriter problems;

    ProblemFallbackFilter(ProblemWriter problems) {
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Tracking tracking = new Tracking(response);
        chain.doFilter(request, tracking);
        int status = response.getStatus();
        if (status >= 400 && !tracking.sentError && !tracking.bodyStarted && !response.isCommitted()
                && !"HEAD".equals(request.getMethod())) {
            HttpStatus known = HttpStatus.resolve(status);
            problems.write(response, status, known == null ? "request refused" : known.getReasonPhrase().toLowerCase());
        }
    }

    private static final class Tracking extends HttpServletResponseWrapper {
        boolean sentError;
        boolean bodyStarted;

        Tracking(HttpServletResponse response) {
            super(response);
        }

        @Override
        public void sendError(int status, String message) throws IOException {
            sentError = true;
            super.sendError(status, message);
        }

        @Override
        public void sendError(int status) throws IOException {
            sentError = true;
            super.sendError(status);
        }

        @Override
        public ServletOutputStream getOutputStream() throws IOException {
            bodyStarted = true;
            return super.getOutputStream();
        }

        @Override
        public PrintWriter getWriter() throws IOException {
            bodyStarted = true;
            return super.getWriter();
        }
    }
}

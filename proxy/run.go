package proxy

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Run serves the API listener (and the admin listener) until ctx ends, then shuts
// down gracefully: no new connections, open streams drain for up to the
// shutdown grace (default 30s), then the rest are closed. ready, if not nil, is
// called with the bound addresses once listening.
func (s *Server) Run(ctx context.Context, ready func(api, admin net.Addr)) error {
	api := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelDebug)}
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return err
	}
	var adminSrv *http.Server
	var adminLn net.Listener
	if s.cfg.AdminListen != "off" {
		adminLn, err = net.Listen("tcp", s.cfg.AdminListen)
		if err != nil {
			ln.Close()
			return err
		}
		adminSrv = &http.Server{Handler: s.AdminHandler(), ReadHeaderTimeout: 10 * time.Second}
	}
	errc := make(chan error, 2)
	go func() {
		if s.cfg.TLS.CertFile != "" {
			errc <- api.ServeTLS(ln, s.cfg.TLS.CertFile, s.cfg.TLS.KeyFile)
		} else {
			errc <- api.Serve(ln)
		}
	}()
	var adminAddr net.Addr
	adminStr := "off"
	if adminSrv != nil {
		adminAddr = adminLn.Addr()
		adminStr = adminAddr.String()
		go func() { errc <- adminSrv.Serve(adminLn) }()
	}
	s.log.Info("scrubgate listening", slog.String("api", ln.Addr().String()), slog.String("admin", adminStr),
		slog.String("rule_pack", s.scanner.Version()), slog.Bool("alert_only", s.cfg.AlertOnly))
	if ready != nil {
		ready(ln.Addr(), adminAddr)
	}
	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-errc:
	}
	grace := s.cfg.ShutdownGrace.or(30 * time.Second)
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	s.log.Info("shutting down; draining open requests", slog.Duration("grace", grace))
	if err := api.Shutdown(sctx); err != nil {
		api.Close()
	}
	if adminSrv != nil {
		adminSrv.Shutdown(sctx)
	}
	s.Close(sctx)
	if errors.Is(runErr, http.ErrServerClosed) {
		runErr = nil
	}
	return runErr
}

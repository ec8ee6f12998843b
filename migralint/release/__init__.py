"""Release-level checks: what changed since a git ref, the rules that judge a release as a
whole (against its previous tag), and `migralint rollback-check`."""

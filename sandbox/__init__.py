"""算法监管沙盒 — Algorithm Governance Sandbox: settings, store, users, trials, reviews, CLI."""

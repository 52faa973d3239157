"""The HTTP side: routing, forwarding, upstream registry, agent identity, error shapes."""

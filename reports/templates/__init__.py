"""Templates for the digest, alert and incident-report HTML (``string.Template``)."""

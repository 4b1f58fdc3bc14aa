"""Development tools, not shipped with the package: the embedded Synapse and Radicale
(``embedded.EmbeddedServer`` and its two subclasses), the Matrix test clients, the local stack
(``overleg up``) and the checkout's command line (``./overleg``: the operator verbs plus the local
stack's and ``test``)."""

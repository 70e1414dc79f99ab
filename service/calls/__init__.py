"""What happens to a call: the webhook contract and intake (``call_metadata``, ``ingest``), its public URL
(``call_urls``), the completion callback (``callbacks``), what readers see and correct (``views``,
``review``), demo seeding (``demo`` + ``demo_data``) and a signed test client (``telephony_client``).

Why a group of its own: these are the domain steps of one call between the front doors (``service.api``,
``service.ui``) and the storage below; they apply the privacy rules of ``service.privacy``, never the reverse.
"""

"""A faithful local DQT: Dataverse Web API v9.2 plus an Entra ID authority, over HTTPS (``dqt-sim``).

It stands in for production DQT in every test and benchmark, so its fidelity to documented Dataverse
behaviour (paging, change tracking, errors, throttling, ``$batch``) is a product feature.
"""

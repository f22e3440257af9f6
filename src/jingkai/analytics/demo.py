"""Demo data of this app, loaded by jingkai demo after the registry (see jingkai.demo.extensions)."""


def load(seed: int, stdout=None) -> dict:
    return {}

"""Auth functions of the consultation plugin, one module per capability."""

from . import answers, consultations, followup, publication

__all__ = [
    name for module in (consultations, answers, followup, publication) for name in module.__all__
]
globals().update({name: getattr(module, name)
                  for module in (consultations, answers, followup, publication)
                  for name in module.__all__})

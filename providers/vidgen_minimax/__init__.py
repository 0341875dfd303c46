"""vidgen's provider for MiniMax's own video APIs: V2 (MiniMax-H3) and V1 (Hailuo).

`challenge_answer` answers the challenge MiniMax sends to a ``callback_url`` before it
accepts a task.
"""

from .provider import MinimaxProvider, challenge_answer

__all__ = ["MinimaxProvider", "challenge_answer"]

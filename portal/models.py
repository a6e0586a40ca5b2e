"""Import every domain's models so that metadata, mappers and migrations see all tables."""
from portal.accounts.models import (  # noqa: F401
    AccountToken,
    ClientAccountManager,
    ClientSupplier,
    Organisation,
    User,
)
from portal.candidates.models import Candidate, CandidateSkill, Resume  # noqa: F401
from portal.events.models import Event  # noqa: F401
from portal.job_orders.models import (  # noqa: F401
    ClientJobSettings,
    JobOrder,
    JobOrderCounter,
    JobOrderNote,
    JobOrderQuestion,
    JobOrderRelease,
    JobOrderView,
)
from portal.leads.models import (  # noqa: F401
    Activity,
    FollowUp,
    Lead,
    LeadRoutingCounter,
    Opportunity,
    StaffLeadSettings,
)
from portal.mail.models import OutboxMessage  # noqa: F401
from portal.submissions.models import Submission  # noqa: F401
from portal.review.models import SubmissionView  # noqa: F401
from portal.interviews.models import Interview, InterviewSlot  # noqa: F401
from portal.offers.models import Offer, Placement  # noqa: F401
from portal.comments.models import Comment  # noqa: F401
from portal.clients.models import AccountEntry, AccountFollowUp  # noqa: F401
from portal.notifications.models import Notification, NotificationPreference  # noqa: F401
from portal.sla.models import SlaCrossing, SlaPolicy  # noqa: F401
from portal.oversight.models import Nudge  # noqa: F401

"""The domain model, one module per aggregate; importing this package registers every table."""

from crm.models.aftercare import (
    AlertScope,
    Checkpoint,
    HireFollowUp,
    LeavingReason,
    NeedSurvey,
    SatisfactionAlert,
)
from crm.models.base import LabelledEnum, utcnow
from crm.models.checklist import ChecklistAnswer, ChecklistItem, SpotterChecklist
from crm.models.cohandling import (
    CandidateStatus,
    CoHandlerStatus,
    JournalSubject,
    NeedCandidate,
    NeedCoHandler,
    NeedJournalEntry,
    NotRetainedReason,
)
from crm.models.committee import (
    Committee,
    CommitteeLevel,
    CommitteeReport,
    ReportSchedule,
    ReportStatus,
)
from crm.models.company import (
    Channel,
    Company,
    CompanyProject,
    CompanyScore,
    Contact,
    DuplicateCandidate,
    DuplicateDismissal,
    ProjectKind,
)
from crm.models.event import (
    Event,
    EventCompany,
    EventKind,
    EventRegistration,
    EventStatus,
    EventSurvey,
    ParticipationStatus,
    RegistrationStatus,
    SurveyRespondent,
)
from crm.models.geography import (
    AreaCount,
    Basin,
    Commune,
    CommunePostalCode,
    Department,
    RolloutStage,
    RsaPilotTerritory,
    TerritoryScope,
)
from crm.models.indicator_snapshot import IndicatorSnapshot
from crm.models.interaction import Interaction, InteractionKind
from crm.models.need import (
    CLOSED_STATUSES,
    CLOSING_REASON_UNKNOWN,
    CONTRACTS_WITH_DURATION,
    ClosingReason,
    ContractType,
    EmployerService,
    HiringNeed,
    MessageAuthor,
    NeedContribution,
    NeedMessage,
    NeedSource,
    NeedStatus,
    NeedStatusChange,
    NeedTransferProposal,
    Public,
    StepActor,
    TransferProposalStatus,
)
from crm.models.organisation import SPOTTER_KINDS, ImportMapping, Organisation, OrganisationKind
from crm.models.plan import (
    Indicator,
    PlanActor,
    PlanObjective,
    PlanStatus,
    PlanTarget,
    ProspectionPlan,
    Segment,
    TargetOutcome,
    TargetStatus,
)
from crm.models.privacy import PrivacyRequest, PrivacyRequestKind
from crm.models.reference import HeadcountBand, NafCode, NafDivisionRome, RomeCode
from crm.models.routing import RoutingRule
from crm.models.system import (
    AppSetting,
    AuditEvent,
    BackgroundTask,
    BackgroundTaskStatus,
    MessageStatus,
    OutboxMessage,
    TableRefresh,
    Upload,
)
from crm.models.training import (
    CLOSED_TRAINING_STATUSES,
    FrapLine,
    ParameterKey,
    PromisedContract,
    TrainingKind,
    TrainingMode,
    TrainingParameter,
    TrainingRequest,
    TrainingStatus,
    TrainingStatusChange,
)
from crm.models.user import (
    ApiScope,
    ApiToken,
    PasswordLink,
    PasswordLinkPurpose,
    Role,
    SavedView,
    User,
)
from crm.models.visit import FollowUp, Visit, VisitMode, VisitParticipant, VisitStatus
